/* A stand-in for Npcap's Packet.dll, for running `watch` as a service under wine (which
 * has no packet driver): it lists the machine's adapters as Npcap devices
 * (\Device\NPF_{GUID}), "opens" them, delivers no frame (each receive waits 100 ms and
 * returns nothing) and accepts every frame sent. Enough for the capture to open, so the
 * service reaches Running and can be stopped; nothing is captured. Test aid only.
 *
 * x86_64-w64-mingw32-gcc -O2 -shared -o Packet.dll packet_stub.c packet_stub.def -liphlpapi
 * and put it in the wine prefix's drive_c/windows/system32/.
 */
#include <windows.h>
#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    HANDLE hEvent;
    OVERLAPPED OverLapped;
    PVOID Buffer;
    UINT Length;
    DWORD ulBytesReceived;
    BOOLEAN bIoComplete;
} PACKET;

BOOLEAN PacketGetAdapterNames(char *buf, ULONG *size) {
    ULONG len = 0;
    char names[8192];
    size_t used = 0;
    IP_ADAPTER_INFO *info, *a;
    GetAdaptersInfo(NULL, &len);
    info = malloc(len ? len : 1);
    if (!info || GetAdaptersInfo(info, &len) != NO_ERROR) {
        free(info);
        len = 0;
        info = NULL;
    }
    for (a = info; a && used + 300 < sizeof names; a = a->Next)
        used += (size_t)snprintf(names + used, sizeof names - used, "\\Device\\NPF_%s", a->AdapterName) + 1;
    names[used++] = 0; /* end of names */
    names[used++] = 0; /* no descriptions */
    free(info);
    if (*size < used) {
        *size = (ULONG)used;
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    memcpy(buf, names, used);
    *size = (ULONG)used;
    return TRUE;
}

void *PacketOpenAdapter(char *name) { (void)name; return calloc(1, 16); }
void PacketCloseAdapter(void *a) { free(a); }
BOOLEAN PacketSetHwFilter(void *a, ULONG f) { (void)a; (void)f; return TRUE; }
BOOLEAN PacketSetBuff(void *a, int n) { (void)a; (void)n; return TRUE; }
BOOLEAN PacketSetMinToCopy(void *a, int n) { (void)a; (void)n; return TRUE; }
BOOLEAN PacketSetReadTimeout(void *a, int t) { (void)a; (void)t; return TRUE; }
PACKET *PacketAllocatePacket(void) { return calloc(1, sizeof(PACKET)); }
void PacketFreePacket(PACKET *p) { free(p); }
void PacketInitPacket(PACKET *p, PVOID buf, UINT len) { p->Buffer = buf; p->Length = len; }
BOOLEAN PacketReceivePacket(void *a, PACKET *p, BOOLEAN sync) {
    (void)a; (void)sync;
    Sleep(100);
    p->ulBytesReceived = 0;
    return TRUE;
}
BOOLEAN PacketSendPacket(void *a, PACKET *p, BOOLEAN sync) { (void)a; (void)p; (void)sync; return TRUE; }
