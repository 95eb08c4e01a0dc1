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
    private static final int FN_GET_SLOT_LIST = 4;
    private static final int FN_GET_TOKEN_INFO = 6;
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
