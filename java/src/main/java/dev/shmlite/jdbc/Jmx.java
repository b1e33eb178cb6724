package dev.shmlite.jdbc;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * The {@link DatabaseStatsMXBean}s on the platform MBean server. Opt-in: MBean names are global
 * to the JVM and each registration costs a little, so nothing happens until JMX is enabled.
 * While it is, the set of registered beans is brought in line with the live databases
 * ({@link #sync()}) when a connection opens on a URL not seen since the last change, after a drop,
 * and when a bean finds its database gone; the per-connection cost is one map lookup.
 */
final class Jmx {
    /** The JMX domain of every shmlite MBean. */
    static final String DOMAIN = "dev.shmlite";

    /** System property that enables JMX when the driver starts ({@code -Dshmlite.jmx=true}). */
    static final String PROPERTY = "shmlite.jmx";

    /** URLs whose database is known registered; cleared past this size (a bound, not an LRU). */
    static final int MAX_SEEN_URLS = 1024;

    private static final Logger LOG = Logger.getLogger(Jmx.class.getName());

    private static volatile boolean enabled = Boolean.getBoolean(PROPERTY);
    private static final Map<String, Boolean> SEEN_URLS = new ConcurrentHashMap<>();
    /** Registered keys; guarded by the class lock. */
    private static final Set<String> REGISTERED = new HashSet<>();

    private Jmx() {}

    static boolean enabled() {
        return enabled;
    }

    /** Turns registration on (registering every live database) or off (unregistering all). */
    static void setEnabled(boolean on) throws SQLException {
        enabled = on;
        SEEN_URLS.clear();
        if (on) {
            sync();
        } else {
            unregisterAll();
        }
    }

    /** Called after a connection opened on {@code url}; cheap when nothing changed. */
    static void opened(String url) {
        if (SEEN_URLS.containsKey(url)) {
            return;
        }
        if (SEEN_URLS.size() >= MAX_SEEN_URLS) {
            SEEN_URLS.clear();
        }
        // marked before the sync: a drop clearing the map meanwhile then makes the next open sync again
        SEEN_URLS.put(url, Boolean.TRUE);
        try {
            sync();
        } catch (SQLException e) {
            SEEN_URLS.remove(url);
            LOG.log(Level.WARNING, "shmlite: JMX registration failed", e);
        }
    }

    /** Called after a database was dropped (or found gone): its bean goes. */
    static void changed() {
        if (!enabled) {
            return;
        }
        SEEN_URLS.clear();
        try {
            sync();
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "shmlite: JMX registration failed", e);
        }
    }

    /** Registers a bean for each live database without one, and unregisters the others. */
    static synchronized void sync() throws SQLException {
        if (!enabled) {
            return;
        }
        NativeLibrary.ensureLoaded();
        String[] keys = Native.databases();
        Set<String> live = new HashSet<>(keys == null ? Set.of() : Arrays.asList(keys));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (String key : new HashSet<>(REGISTERED)) {
            if (!live.contains(key)) {
                unregister(server, key);
            }
        }
        for (String key : live) {
            if (!REGISTERED.contains(key)) {
                try {
                    ObjectName name = name(key);
                    if (!server.isRegistered(name)) {
                        server.registerMBean(new StandardMBean(bean(key), DatabaseStatsMXBean.class, true), name);
                    }
                    REGISTERED.add(key);
                } catch (JMException e) {
                    LOG.log(Level.WARNING, "shmlite: could not register the MXBean of " + key, e);
                }
            }
        }
    }

    private static synchronized void unregisterAll() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (String key : new HashSet<>(REGISTERED)) {
            unregister(server, key);
        }
    }

    private static void unregister(MBeanServer server, String key) {
        REGISTERED.remove(key);
        try {
            ObjectName name = name(key);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException e) {
            LOG.log(Level.WARNING, "shmlite: could not unregister the MXBean of " + key, e);
        }
    }

    /** {@code dev.shmlite:type=Database,name="<key>"}; the key is quoted (it holds ':' and '/'). */
    static ObjectName name(String key) throws JMException {
        return new ObjectName(DOMAIN + ":type=Database,name=" + ObjectName.quote(key));
    }

    /**
     * One database's bean: every attribute is read from the database when asked, by calling the
     * same getter on a fresh {@link DatabaseStats} (which implements the interface), so an
     * attribute added there cannot be missing here.
     */
    static DatabaseStatsMXBean bean(String key) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                switch (method.getName()) {
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    default:
                        return "DatabaseStatsMXBean[" + key + "]";
                }
            }
            if (method.getName().equals("getKey")) {
                return key;
            }
            Optional<DatabaseStats> stats;
            try {
                stats = Shmlite.stats(key);
            } catch (SQLException e) {
                return 0L;
            }
            if (stats.isEmpty()) {
                changed(); // the database went away without a drop through this driver
                return 0L;
            }
            return method.invoke(stats.get());
        };
        return (DatabaseStatsMXBean) Proxy.newProxyInstance(
                DatabaseStatsMXBean.class.getClassLoader(), new Class<?>[] {DatabaseStatsMXBean.class}, handler);
    }
}
