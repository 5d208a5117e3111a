/*
 * fake_wlt.c - a stand-in for a reader vendor's WLT photo library, built as a shared object
 * the driver loads with dlopen exactly as it would load the real one. It has the vendors'
 * entry point and output format (a 24-bit bottom-up Windows bitmap of 102 x 126, 38,862
 * bytes) but, WLT being secret, it draws a picture computed from the input instead:
 * red = x * 2, green = y * 2, blue = wlt[(y * 102 + x) % 1024], so a test can predict every
 * pixel. A block starting "FAIL" is refused (returns -1) as a broken photo would be.
 */
#include <stdint.h>
#include <string.h>

#define W      102
#define H      126
#define STRIDE 308 /* 102 * 3 rounded up to 4 */
#define OFFSET 54

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

int unpack(char *wlt, char *bmp, int save_file);

int unpack(char *wlt, char *bmp, int save_file)
{
    (void)save_file;
    const unsigned char *in = (const unsigned char *)wlt;
    unsigned char *out = (unsigned char *)bmp;
    if (memcmp(in, "FAIL", 4) == 0)
        return -1;
    memset(out, 0, OFFSET + STRIDE * H);
    out[0] = 'B';
    out[1] = 'M';
    put32(out + 2, OFFSET + STRIDE * H);
    put32(out + 10, OFFSET);
    put32(out + 14, 40);
    put32(out + 18, W);
    put32(out + 22, H);
    put16(out + 26, 1);
    put16(out + 28, 24);
    put32(out + 34, STRIDE * H);
    for (int y = 0; y < H; y++) {
        unsigned char *row = out + OFFSET + STRIDE * (H - 1 - y); /* bottom-up */
        for (int x = 0; x < W; x++) {
            row[3 * x] = in[(y * W + x) % 1024]; /* blue */
            row[3 * x + 1] = (unsigned char)(y * 2);
            row[3 * x + 2] = (unsigned char)(x * 2);
        }
    }
    return 1;
}
