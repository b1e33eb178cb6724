package dev.shmlite.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The constants Native.java and DatabaseStats mirror by hand equal what the native side uses
 * ({@code Native.layout}): wire header, flags and tags, prepare info slots, property row fields,
 * savepoint operations, strings per described column, statistics fields.
 */
class NativeLayoutTest {
    @Test
    void wireConstantsAndInfoSlotsEqualTheNativeOnes() throws Exception {
        NativeLibrary.ensureLoaded();
        Map<String, Long> nativeSide = new LinkedHashMap<>();
        for (String line : Native.layout()) {
            if (!line.startsWith("stats.") && !line.startsWith("native.") && !line.startsWith("describe.")) {
                int eq = line.indexOf('=');
                nativeSide.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
            }
        }
        Map<String, Long> javaSide = new LinkedHashMap<>();
        for (Field f : Native.class.getDeclaredFields()) {
            int m = f.getModifiers();
            boolean mirrored = f.getName().matches("(HEADER|FLAG_|OFF_|TAG_|INFO_|PROP_|SAVEPOINT_).*");
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && mirrored) {
                f.setAccessible(true);
                javaSide.put(f.getName(), ((Number) f.get(null)).longValue());
            }
        }
        assertEquals(new java.util.TreeMap<>(nativeSide), new java.util.TreeMap<>(javaSide));
    }

    @Test
    void columnDescriptionsHaveTheFieldCountColumnInfoReads() throws Exception {
        NativeLibrary.ensureLoaded();
        assertTrue(
                java.util.Arrays.asList(Native.layout()).contains("describe.FIELDS=" + ColumnInfo.FIELDS),
                "Native.columns strings per column != ColumnInfo.FIELDS");
    }

    @Test
    void statisticsFieldsArriveInTheOrderDatabaseStatsReadsThem() throws Exception {
        NativeLibrary.ensureLoaded();
        List<String> names = new ArrayList<>();
        for (String line : Native.layout()) {
            if (line.startsWith("stats.")) {
                int eq = line.indexOf('=');
                assertEquals(names.size(), Integer.parseInt(line.substring(6, eq)), line);
                names.add(line.substring(eq + 1));
            }
        }
        assertEquals(DatabaseStats.FIELDS, names.size(), "DatabaseStats.FIELDS");
        long[] v = new long[names.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = 1000 + i;
        }
        DatabaseStats stats = new DatabaseStats("k", v);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String getterName = "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
            Method getter = DatabaseStats.class.getMethod(getterName);
            assertEquals(1000L + i, getter.invoke(stats), name + " is value " + i);
        }
        assertTrue(names.contains("commits"));
    }

    @Test
    void everyNativeMethodIsRegisteredWithTheSignatureItsJavaTypesGive() throws Exception {
        NativeLibrary.ensureLoaded();
        Map<String, String> registered = new java.util.TreeMap<>();
        for (String line : Native.layout()) {
            if (line.startsWith("native.")) {
                int eq = line.indexOf('=');
                registered.put(line.substring(7, eq), line.substring(eq + 1));
            }
        }
        assertEquals(declaredNatives(Native.class), registered);
    }

    /** The JNI signature of every native method {@code c} declares, by name, as javac derives it. */
    static Map<String, String> declaredNatives(Class<?> c) {
        Map<String, String> declared = new java.util.TreeMap<>();
        for (Method m : c.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers())) {
                StringBuilder sig = new StringBuilder("(");
                for (Class<?> p : m.getParameterTypes()) {
                    sig.append(descriptor(p));
                }
                declared.put(
                        m.getName(),
                        sig.append(')').append(descriptor(m.getReturnType())).toString());
            }
        }
        return declared;
    }

    private static String descriptor(Class<?> c) {
        if (c.isArray()) {
            return c.getName().replace('.', '/');
        }
        if (c.isPrimitive()) {
            return switch (c.getName()) {
                case "void" -> "V";
                case "boolean" -> "Z";
                case "byte" -> "B";
                case "int" -> "I";
                case "long" -> "J";
                default -> throw new AssertionError("unexpected primitive " + c);
            };
        }
        return "L" + c.getName().replace('.', '/') + ";";
    }
}
