package dev.shmlite.jdbc;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Ports for test nodes to listen on (also used by the CLI's tests, through this module's test
 * jar).
 */
public final class TestPorts {
    /** Lowest port handed out: below it are ports services commonly claim. */
    static final int FLOOR = 20000;

    /** How many random ports {@link #freePort()} tries to bind before it gives up. */
    static final int TRIES = 200;

    private TestPorts() {}

    /**
     * A port on 127.0.0.1 that was free a moment ago, below the kernel's ephemeral range. Not port
     * 0's choice: the kernel takes that from the ephemeral range, from which it also gives every
     * outgoing connection its local port, so one could hold the port by the time the node binds it
     * (one CI run failed so).
     *
     * @return the port
     * @throws IOException when no port in the range could be bound
     */
    public static int freePort() throws IOException {
        int low = 32768; // Linux's default start of the ephemeral range
        // a line, not Files.readString: that trusts the size procfs reports and read "3" here
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            low = Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: keep the default
        }
        if (low <= FLOOR) {
            throw new IOException("the ephemeral port range starts at " + low + ", below " + FLOOR);
        }
        Random random = new Random();
        for (int tries = 0; tries < TRIES; tries++) {
            int port = FLOOR + random.nextInt(low - FLOOR);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in " + FLOOR + ".." + low + " after " + TRIES + " tries");
    }
}
