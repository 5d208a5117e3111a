/*
 * devices.h - the device hub: every device the config names, opened and watched as one.
 *
 * Opens one device per class through the registry ([devices] picks the driver; "none" leaves
 * the class absent), logs every status change and error for technicians (never personal
 * data), and hands each event on to the flow. Main thread only.
 */
#ifndef BM_SERVICES_DEVICES_H
#define BM_SERVICES_DEVICES_H

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "drivers/device.h"

struct bm_devices;

/* Called on the main thread for every device event; owns ev (bm_device_event_free). */
typedef void (*bm_devices_event_fn)(struct bm_device_event *ev, void *ud);

/*
 * Opens every configured device. A device that fails to open is logged and reads as
 * no_device (the kiosk runs on with what it has); only a driver name the registry does not
 * know is an error (BM_ERR_CONFIG), since that is a wrong config, not a broken device.
 * clock may be NULL (system clock).
 */
enum bm_err bm_devices_open(const struct bm_config *cfg, const struct bm_clock *clock,
                            bm_devices_event_fn on_event, void *ud, struct bm_devices **out);

/* Closes every device, joining their threads. NULL is ignored. */
void bm_devices_close(struct bm_devices *hub);

/* The device of a class, or NULL if the class is absent ("none" or failed to open). */
struct bm_device *bm_devices_get(struct bm_devices *hub, enum bm_device_class cls);

/* The status of a class (no_device when absent). */
void bm_devices_status(const struct bm_devices *hub, enum bm_device_class cls,
                       struct bm_device_status *out);

/*
 * The classes that can serve a resident now: online, busy or still starting, with no
 * outstanding error. A class that is absent, offline or in an error (paper out, cover open)
 * is left out until it recovers; paper running low still counts as usable.
 */
bm_device_mask bm_devices_usable(const struct bm_devices *hub);

/* Writes one log line per class with its driver and status (diagnostics, demo "status"). */
void bm_devices_log_status(const struct bm_devices *hub);

#endif
