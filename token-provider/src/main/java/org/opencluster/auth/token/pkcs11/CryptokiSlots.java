package org.opencluster.auth.token.pkcs11;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import org.opencluster.auth.token.TokenError;
import org.opencluster.auth.token.TokenException;

/**
 * Reads slot and token information straight from a PKCS#11 module (JNA), without opening a session or logging in.
 *
 * <p>Why not SunPKCS11: its provider only selects a slot by id/index and never reveals CK_TOKEN_INFO (label, serial,
 * PIN-retry flags) through a public API; {@code sun.security.pkcs11.wrapper} is not exported, so using it needs
 * {@code --add-exports} on JDK 17 and 25. Reading the module directly lets us pick the slot <em>before</em> any
 * C_Login, and read CKF_USER_PIN_COUNT_LOW/FINAL_TRY/LOCKED after a failed login.
 *
 * <p>Module life cycle: the module is shared with SunPKCS11 in this process (the dynamic linker returns the same
 * instance for the same path). We call C_Initialize with CKF_OS_LOCKING_OK and accept
 * CKR_CRYPTOKI_ALREADY_INITIALIZED; we never call C_Finalize, because that would tear down SunPKCS11's sessions
 * (SunPKCS11 likewise keeps a module initialised for the life of the JVM).
 */
final class CryptokiSlots {
    private static final long CKR_OK = 0;
    private static final long CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;
    private static final long CKF_OS_LOCKING_OK = 0x2;
    // Indexes into CK_FUNCTION_LIST after the CK_VERSION header.
    private static final int FN_INITIALIZE = 0;
    private static final int FN_FINALIZE = 1;
    private static final int FN_GET_SLOT_LIST = 4;
    private static final int FN_GET_TOKEN_INFO = 6;
    private static final int FN_OPEN_SESSION = 12;
    private static final int FN_CLOSE_SESSION = 13;
    private static final int FN_GET_ATTRIBUTE_VALUE = 24;
    private static final int FN_FIND_OBJECTS_INIT = 26;
    private static final int FN_FIND_OBJECTS = 27;
    private static final int FN_FIND_OBJECTS_FINAL = 28;
    private static final long CKF_SERIAL_SESSION = 0x4;
    private static final long CKA_CLASS = 0x0;
    private static final long CKA_LABEL = 0x3;
    private static final long CKA_ID = 0x102;
    private static final long CKO_PRIVATE_KEY = 0x3;
    /** Private keys read per lookup: a URI naming more than this many is refused as ambiguous anyway. */
    private static final int MAX_MATCHES = 16;
    /** Longest CKA_LABEL read back (labels are short; a bigger one is not a label we can name). */
    private static final int MAX_LABEL = 1024;
    private static final int MAX_SLOTS = 1024;
    /**
     * Every module loaded here, held for the life of the JVM. JNA keeps its libraries only weakly: once a
     * NativeLibrary is collected its cleaner calls dlclose, and if SunPKCS11 has let go of the module too the
     * code behind our function-list pointers is unmapped (seen as a SIGSEGV in C_GetTokenInfo after a failed
     * login on JDK 25). An initialised module must not be unloaded anyway.
     */
    private static final java.util.Set<NativeLibrary> LOADED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path module;
    private final Pointer functionList;

    private CryptokiSlots(Path module, Pointer functionList) {
        this.module = module;
        this.functionList = functionList;
    }

    /** Loads and initialises {@code module}. */
    static CryptokiSlots load(Path module) throws TokenException {
        if (!Files.isRegularFile(module) || !Files.isReadable(module)) {
            throw new TokenException(TokenError.MODULE_MISSING, "PKCS#11 module " + module
                    + " does not exist or is not readable; install it or fix module-path in the URI");
        }
        if (Platform.isWindows()) {
            // CK_ structures are 1-byte packed on Windows; the offsets below assume natural alignment.
            throw new TokenException(TokenError.MODULE_MISSING, "PKCS#11 slot discovery supports Unix only");
        }
        NativeLibrary library;
        try {
            library = NativeLibrary.getInstance(module.toString());
            LOADED.add(library);
        } catch (UnsatisfiedLinkError e) {
            throw new TokenException(TokenError.MODULE_MISSING, "cannot load PKCS#11 module " + module
                    + " (" + e.getMessage() + ")");
        }
        Function getFunctionList;
        try {
            getFunctionList = library.getFunction("C_GetFunctionList");
        } catch (UnsatisfiedLinkError e) {
            throw new TokenException(TokenError.MODULE_MISSING, module + " is not a PKCS#11 module");
        }
        PointerByReference ref = new PointerByReference();
        check(getFunctionList.invoke(NativeLong.class, new Object[] {ref}), "C_GetFunctionList", module);
        CryptokiSlots slots = new CryptokiSlots(module, ref.getValue());
        slots.initialize();
        return slots;
    }

    private Function function(int index) {
        Pointer p = functionList.getPointer((long) Native.POINTER_SIZE * (1 + index));
        return Function.getFunction(p);
    }

    private void initialize() throws TokenException {
        Memory args = new Memory(6L * Native.POINTER_SIZE);
        args.clear();
        args.setNativeLong(4L * Native.POINTER_SIZE, new NativeLong(CKF_OS_LOCKING_OK));
        long rv = ((NativeLong) function(FN_INITIALIZE).invoke(NativeLong.class, new Object[] {args})).longValue();
        if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
            throw new TokenException(TokenError.MODULE_MISSING,
                    "C_Initialize of " + module + " failed: " + Pkcs11Errors.name(rv));
        }
    }

    /**
     * C_Finalize then C_Initialize: the module forgets every session of this process and looks for its tokens
     * again (SoftHSM2 reads its token directory only at C_Initialize). See {@link Pkcs11Tokens#restartModule}.
     */
    void restart() throws TokenException {
        function(FN_FINALIZE).invoke(NativeLong.class, new Object[] {null}); // not initialised: nothing to end
        initialize();
    }

    /** Every slot with a token present. */
    List<CryptokiTokenInfo> tokens() throws TokenException {
        Function getSlotList = function(FN_GET_SLOT_LIST);
        Memory count = new Memory(NativeLong.SIZE);
        count.setNativeLong(0, new NativeLong(0));
        check(getSlotList.invoke(NativeLong.class, new Object[] {(byte) 1, null, count}), "C_GetSlotList", module);
        long n = count.getNativeLong(0).longValue();
        if (n < 0 || n > MAX_SLOTS) {
            throw new TokenException(TokenError.DEVICE_ERROR, module + " reports " + n + " slots");
        }
        if (n == 0) {
            return List.of();
        }
        Memory ids = new Memory(n * NativeLong.SIZE);
        check(getSlotList.invoke(NativeLong.class, new Object[] {(byte) 1, ids, count}), "C_GetSlotList", module);
        n = Math.min(n, count.getNativeLong(0).longValue());
        List<CryptokiTokenInfo> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            token(ids.getNativeLong((long) i * NativeLong.SIZE).longValue()).ifPresent(out::add);
        }
        return out;
    }

    /** The token in {@code slotId}, or empty when the slot has no (recognisable) token any more. */
    Optional<CryptokiTokenInfo> token(long slotId) {
        Memory info = new Memory(512); // CK_TOKEN_INFO is 208 bytes on LP64
        info.clear();
        long rv = ((NativeLong) function(FN_GET_TOKEN_INFO)
                .invoke(NativeLong.class, new Object[] {new NativeLong(slotId), info})).longValue();
        if (rv != CKR_OK) {
            return Optional.empty();
        }
        int flagsOffset = 96; // label 32 + manufacturerID 32 + model 16 + serialNumber 16, then CK_FLAGS
        return Optional.of(new CryptokiTokenInfo(slotId, text(info, 0, 32), text(info, 32, 32), text(info, 64, 16),
                text(info, 80, 16), info.getNativeLong(flagsOffset).longValue()));
    }

    /**
     * The CKA_LABEL bytes of the private keys in {@code slotId} whose CKA_ID is {@code id} and, when given, whose
     * CKA_LABEL is exactly {@code label} (raw bytes: PKCS#11 compares them as such, and so do p11-kit and p11tool).
     * Private objects are visible only once this process is logged in to the token (SunPKCS11's login counts: a
     * PKCS#11 login belongs to the application, i.e. every session of this process on that token).
     */
    List<byte[]> privateKeyLabels(long slotId, byte[] id, byte[] label) throws TokenException {
        Memory session = new Memory(NativeLong.SIZE);
        check(function(FN_OPEN_SESSION).invoke(NativeLong.class, new Object[] {new NativeLong(slotId),
                new NativeLong(CKF_SERIAL_SESSION), null, null, session}), "C_OpenSession", module);
        NativeLong handle = session.getNativeLong(0);
        try {
            Memory keyClass = new Memory(NativeLong.SIZE);
            keyClass.setNativeLong(0, new NativeLong(CKO_PRIVATE_KEY));
            List<Object[]> template = new ArrayList<>();
            template.add(new Object[] {CKA_CLASS, keyClass, (long) NativeLong.SIZE});
            template.add(new Object[] {CKA_ID, bytes(id), (long) id.length});
            if (label != null) {
                template.add(new Object[] {CKA_LABEL, bytes(label), (long) label.length});
            }
            Memory attrs = attributes(template);
            check(function(FN_FIND_OBJECTS_INIT).invoke(NativeLong.class, new Object[] {handle, attrs,
                    new NativeLong(template.size())}), "C_FindObjectsInit", module);
            java.lang.ref.Reference.reachabilityFence(template); // the module reads the template's values
            Memory found = new Memory((long) MAX_MATCHES * NativeLong.SIZE);
            Memory count = new Memory(NativeLong.SIZE);
            try {
                check(function(FN_FIND_OBJECTS).invoke(NativeLong.class, new Object[] {handle, found,
                        new NativeLong(MAX_MATCHES), count}), "C_FindObjects", module);
            } finally {
                function(FN_FIND_OBJECTS_FINAL).invoke(NativeLong.class, new Object[] {handle});
            }
            long n = Math.min(MAX_MATCHES, count.getNativeLong(0).longValue());
            List<byte[]> labels = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                labels.add(labelOf(handle, found.getNativeLong((long) i * NativeLong.SIZE)));
            }
            return labels;
        } finally {
            function(FN_CLOSE_SESSION).invoke(NativeLong.class, new Object[] {handle});
        }
    }

    private byte[] labelOf(NativeLong session, NativeLong object) throws TokenException {
        Memory value = new Memory(MAX_LABEL);
        List<Object[]> template = new ArrayList<>();
        template.add(new Object[] {CKA_LABEL, value, (long) MAX_LABEL});
        Memory attrs = attributes(template);
        check(function(FN_GET_ATTRIBUTE_VALUE).invoke(NativeLong.class, new Object[] {session, object, attrs,
                new NativeLong(1)}), "C_GetAttributeValue(CKA_LABEL)", module);
        long length = attrs.getNativeLong(NativeLong.SIZE + Native.POINTER_SIZE).longValue();
        if (length < 0 || length > MAX_LABEL) {
            throw new TokenException(TokenError.DEVICE_ERROR, module + " reports a key label of " + length + " bytes");
        }
        return value.getByteArray(0, (int) length);
    }

    /** A CK_ATTRIBUTE array (type, pValue, ulValueLen; natural alignment, as on every Unix ABI). */
    private static Memory attributes(List<Object[]> template) {
        int size = NativeLong.SIZE * 2 + Native.POINTER_SIZE;
        Memory m = new Memory((long) size * template.size());
        for (int i = 0; i < template.size(); i++) {
            Object[] a = template.get(i);
            long at = (long) i * size;
            m.setNativeLong(at, new NativeLong((Long) a[0]));
            m.setPointer(at + NativeLong.SIZE, (Pointer) a[1]);
            m.setNativeLong(at + NativeLong.SIZE + Native.POINTER_SIZE, new NativeLong((Long) a[2]));
        }
        return m;
    }

    private static Pointer bytes(byte[] b) {
        Memory m = new Memory(Math.max(1, b.length));
        m.write(0, b, 0, b.length);
        return m;
    }

    private static String text(Memory m, long offset, int length) {
        byte[] b = m.getByteArray(offset, length);
        int end = b.length;
        while (end > 0 && (b[end - 1] == ' ' || b[end - 1] == 0)) {
            end--;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private static void check(Object rv, String function, Path module) throws TokenException {
        long code = ((NativeLong) rv).longValue();
        if (code != CKR_OK) {
            throw new TokenException(TokenError.DEVICE_ERROR, function + " on " + module + " failed: "
                    + Pkcs11Errors.name(code));
        }
    }
}
