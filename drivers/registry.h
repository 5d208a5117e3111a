/*
 * registry.h - the drivers built into this program, and opening the one the config names.
 *
 * The list is fixed at build time (registry.c), as SDL lists its video backends. The config's
 * [devices] section names a driver per class ("sim", a real driver, or "none"); `sim` exists
 * for every class. Any thread may look drivers up; opening is for the main thread.
 */
#ifndef BM_DRIVERS_REGISTRY_H
#define BM_DRIVERS_REGISTRY_H

#include "device.h"

struct bm_driver;

/* The driver called name for cls, or NULL. */
const struct bm_driver *bm_registry_find(enum bm_device_class cls, const char *name);

/* The i-th driver of cls (0, 1, ...), NULL past the end; for --help and diagnostics. */
const struct bm_driver *bm_registry_get(enum bm_device_class cls, unsigned i);
const char *bm_driver_name(const struct bm_driver *driver);
const char *bm_driver_description(const struct bm_driver *driver);

/*
 * Opens the driver p->cfg names for cls ([devices] <class name> = driver).
 *   "none": the class is absent by design: returns BM_ERR_NO_DEVICE and *out = NULL. Every
 *           bm_device_* / class function accepts that NULL: status reads no_device, commands
 *           return BM_ERR_NO_DEVICE at once (no callback), close ignores it.
 *   unknown name: BM_ERR_CONFIG (the detail lists what is built in).
 */
enum bm_err bm_registry_open(enum bm_device_class cls, const struct bm_device_params *p,
                             struct bm_device **out);

/*
 * Releases what drivers keep for the life of the process (the sim renderer's font caches).
 * Call once at exit, after every device is closed. Main thread.
 */
void bm_registry_shutdown(void);

#endif
