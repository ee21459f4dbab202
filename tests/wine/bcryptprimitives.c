/* ProcessPrng for wine 8 (Debian 12), whose bcryptprimitives.dll lacks it; Rust's std
 * imports it for its random seeds. Built by scripts/wine.sh with mingw and placed beside
 * the Windows test executables. Test tooling only: never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
