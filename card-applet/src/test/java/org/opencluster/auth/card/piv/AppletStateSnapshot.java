package org.opencluster.auth.card.piv;

import com.licel.jcardsim.base.TransientMemory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javacard.framework.AID;
import javacard.framework.Applet;
import javacard.security.RandomData;
import org.opencluster.auth.card.vpcd.VirtualCard;

/**
 * The persistent state of the applet inside a {@link VirtualCard}, as bytes: every non-static field of every object
 * reachable from the applet instance (its own classes and jCardSim's key and PIN objects), in a fixed walk order,
 * with references written as the index of the object they point to (so a field switched to another object shows).
 * The contents of transient arrays are left out (a power cycle clears them); so are the contents of the JDK's
 * objects other than the value types (String, BigInteger, boxed primitives), of Bouncy Castle's objects inside
 * jCardSim (engines' working state and precomputation; key values live in jCardSim's key objects) and of the random
 * number generator (its state moves with every use).
 *
 * <p>Two snapshots are equal exactly when the applet's persistent state is the same, which lets the APDU fuzz target
 * reuse a card across inputs and factory-reset it only after an input that changed that state. Test-only: reads
 * jCardSim's internals by reflection (the simulator and its runtime are not reachable through its public API).
 */
final class AppletStateSnapshot {
    /** An applet's object graph is a few hundred objects; far more means the walk escaped into the simulator. */
    private static final int MAX_OBJECTS = 100_000;
    private static final Map<Class<?>, Field[]> FIELDS = new ConcurrentHashMap<>();
    /** A number per class, written instead of its name. */
    private static final Map<Class<?>, Integer> CLASS_IDS = new ConcurrentHashMap<>();

    private final Applet applet;
    private final TransientMemory transientMemory;
    /** Reused by every walk: one snapshot's worth of bytes. */
    private byte[] buffer = new byte[32 * 1024];
    private int length;
    /** Every object the last walk reached. */
    private IdentityHashMap<Object, Integer> lastReached = new IdentityHashMap<>();

    private AppletStateSnapshot(Applet applet, TransientMemory transientMemory) {
        this.applet = applet;
        this.transientMemory = transientMemory;
    }

    /** Reads the applet installed under the PIV AID of {@code card} (again after each factory reset). */
    static AppletStateSnapshot of(VirtualCard card) {
        try {
            Object simulator = field(card, "simulator");
            Object runtime = field(simulator, "runtime");
            byte[] aid = HexFormat.of().parseHex(VirtualCard.PIV_AID_HEX);
            Object instance = runtime.getClass().getMethod("lookupApplet", AID.class)
                    .invoke(runtime, new AID(aid, (short) 0, (byte) aid.length));
            Applet applet = (Applet) instance.getClass().getMethod("getApplet").invoke(instance);
            return new AppletStateSnapshot(applet,
                    (TransientMemory) runtime.getClass().getMethod("getTransientMemory").invoke(runtime));
        } catch (ReflectiveOperationException e) {
            throw internals(e);
        }
    }

    /**
     * The number of transient arrays the simulator has registered (clear on deselect, clear on reset), for
     * {@link #forgetUnreachableTransients}.
     */
    int[] transientMark() {
        return new int[] {transients("clearOnDeselect").size(), transients("clearOnReset").size()};
    }

    /**
     * Unregisters the transient arrays registered since {@code mark} that the applet's objects no longer reach (as of
     * the last {@link #take} or {@link #matches}). jCardSim registers a new transient array at some cipher
     * initialisations (one per management-key authentication) and forgets the old ones only when its runtime is
     * reset, while every power cycle zeroes all of them: without this a card got slower at every input (a power
     * cycle took 130 us after 2,000 inputs, against 0.5 us).
     */
    void forgetUnreachableTransients(int[] mark) {
        prune(transients("clearOnDeselect"), mark[0]);
        prune(transients("clearOnReset"), mark[1]);
    }

    private void prune(List<?> registered, int from) {
        for (int i = registered.size() - 1; i >= from; i--) {
            if (!lastReached.containsKey(registered.get(i))) {
                registered.remove(i);
            }
        }
    }

    private List<?> transients(String list) {
        try {
            return (List<?>) field(transientMemory, list);
        } catch (ReflectiveOperationException e) {
            throw internals(e);
        }
    }

    /** The persistent state now. */
    byte[] take() {
        walk();
        return Arrays.copyOf(buffer, length);
    }

    /** Whether the persistent state now is {@code earlier}, a {@link #take} of this applet. */
    boolean matches(byte[] earlier) {
        walk();
        return Arrays.equals(buffer, 0, length, earlier, 0, earlier.length);
    }

    /** Breadth-first from the applet: each object is written once, where it is first reached. */
    private void walk() {
        length = 0;
        IdentityHashMap<Object, Integer> seen = new IdentityHashMap<>(1024);
        List<Object> pending = new ArrayList<>(1024);
        try {
            reference(applet, seen, pending);
            for (int next = 0; next < pending.size(); next++) {
                if (next > MAX_OBJECTS) {
                    throw new IllegalStateException("the applet's object graph has over " + MAX_OBJECTS + " objects");
                }
                write(pending.get(next), seen, pending);
            }
        } catch (IllegalAccessException e) {
            throw internals(e);
        }
        lastReached = seen;
    }

    private void reference(Object o, IdentityHashMap<Object, Integer> seen, List<Object> pending) {
        if (o == null) {
            writeInt(-1);
            return;
        }
        Integer index = seen.get(o);
        if (index == null) {
            index = seen.size();
            seen.put(o, index);
            pending.add(o);
        }
        writeInt(index);
    }

    private void write(Object o, IdentityHashMap<Object, Integer> seen, List<Object> pending)
            throws IllegalAccessException {
        Class<?> c = o.getClass();
        writeInt(CLASS_IDS.computeIfAbsent(c, k -> CLASS_IDS.size()));
        if (c.isArray()) {
            if (transientMemory.isTransient(o) != 0) {
                return; // cleared by the power cycle before each input
            }
            if (o instanceof byte[] b) {
                writeBytes(b);
            } else if (o instanceof Object[] objects) {
                writeInt(objects.length);
                for (Object element : objects) {
                    reference(element, seen, pending);
                }
            } else {
                int n = java.lang.reflect.Array.getLength(o);
                writeInt(n);
                for (int i = 0; i < n; i++) {
                    writeLong(primitive(java.lang.reflect.Array.get(o, i)));
                }
            }
        } else if (o instanceof BigInteger b) {
            writeBytes(b.toByteArray());
        } else if (o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Character) {
            writeBytes(o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } else if (!isOpaque(c)) {
            for (Field f : fields(c)) {
                if (f.getType().isPrimitive()) {
                    writeLong(primitive(f.get(o)));
                } else {
                    reference(f.get(o), seen, pending);
                }
            }
        }
    }

    private static long primitive(Object boxed) {
        if (boxed instanceof Boolean z) {
            return z ? 1 : 0;
        }
        if (boxed instanceof Character ch) {
            return ch;
        }
        if (boxed instanceof Float f) {
            return Float.floatToRawIntBits(f);
        }
        if (boxed instanceof Double d) {
            return Double.doubleToRawLongBits(d);
        }
        return ((Number) boxed).longValue();
    }

    private void writeInt(int v) {
        ensure(4);
        buffer[length++] = (byte) (v >>> 24);
        buffer[length++] = (byte) (v >>> 16);
        buffer[length++] = (byte) (v >>> 8);
        buffer[length++] = (byte) v;
    }

    private void writeLong(long v) {
        writeInt((int) (v >>> 32));
        writeInt((int) v);
    }

    private void writeBytes(byte[] b) {
        writeInt(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buffer, length, b.length);
        length += b.length;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(2 * buffer.length, length + more));
        }
    }

    /**
     * Objects whose contents are not read (see the class comment). Cached per class: under the fuzzer, Jazzer hooks
     * every {@code String.startsWith} to feed the compared strings to libFuzzer, and the uncached name tests were
     * a third of the APDU target's time.
     */
    private static final ClassValue<Boolean> OPAQUE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            return opaqueByName(c);
        }
    };

    private static boolean isOpaque(Class<?> c) {
        return OPAQUE.get(c);
    }

    private static boolean opaqueByName(Class<?> c) {
        String name = c.getName();
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("sun.")
                || name.startsWith("jdk.") || name.startsWith("com.sun.")
                || name.startsWith("com.licel.jcardsim.bouncycastle.") || RandomData.class.isAssignableFrom(c);
    }

    private static Field[] fields(Class<?> c) {
        return FIELDS.computeIfAbsent(c, k -> {
            List<Field> all = new ArrayList<>();
            for (Class<?> x = k; x != null && !isOpaque(x); x = x.getSuperclass()) {
                for (Field f : x.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers())) {
                        f.setAccessible(true);
                        all.add(f);
                    }
                }
            }
            return all.toArray(new Field[0]);
        });
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        throw new NoSuchFieldException(name);
    }

    private static IllegalStateException internals(ReflectiveOperationException e) {
        return new IllegalStateException("this jCardSim version does not have the internals the fuzz target reads", e);
    }
}
