/*
 * registry.c - the drivers built into this program, per class, and opening the configured one.
 * See registry.h.
 *
 * The table is fixed at build time, as SDL's list of video backends: adding a driver means
 * adding its const struct bm_driver here (and its name to the [devices] choices in the config
 * schema). The config's [devices] keys are enums, so the chosen name is read back from the
 * schema's choice list by index rather than as a free string.
 *
 * Threads: lookups from any thread (read-only data); bm_registry_open from the main thread.
 */
#include "registry.h"

#include "driver.h"
#include "cups/cups.h"
#include "escpos/escpos.h"
#include "sam/sam.h"
#include "sim/sim_internal.h"

#include "core/log.h"

#include <stdio.h>
#include <string.h>

static const struct bm_driver *const drivers[] = {
    &bm_sim_id_reader_driver, &bm_sim_receipt_driver, &bm_sim_doc_driver,
    &bm_sim_scanner_driver,   &bm_sim_barcode_driver,  &bm_sam_usb_driver,
    &bm_sam_serial_driver,
    &bm_escpos_usb_driver, /* escpos */
    &bm_cups_doc_driver,
};
#define N_DRIVERS (sizeof drivers / sizeof drivers[0])

const struct bm_driver *bm_registry_get(enum bm_device_class cls, unsigned i)
{
    for (size_t k = 0; k < N_DRIVERS; k++) {
        if (drivers[k]->cls != cls)
            continue;
        if (i == 0)
            return drivers[k];
        i--;
    }
    return NULL;
}

const struct bm_driver *bm_registry_find(enum bm_device_class cls, const char *name)
{
    if (!name)
        return NULL;
    const struct bm_driver *d;
    for (unsigned i = 0; (d = bm_registry_get(cls, i)); i++)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

const char *bm_driver_name(const struct bm_driver *driver)
{
    return driver ? driver->name : "none";
}

const char *bm_driver_description(const struct bm_driver *driver)
{
    return driver ? driver->description : "no such device";
}

/* The text of the enum value cfg holds for [section] key, copied into buf. */
static enum bm_err enum_choice(const struct bm_config *cfg, const char *section, const char *key,
                               char *buf, size_t size)
{
    const struct bm_config_key *k = bm_config_schema;
    while (k->section && !(strcmp(k->section, section) == 0 && strcmp(k->key, key) == 0))
        k++;
    if (!k->section || k->type != BM_CONFIG_ENUM || !k->choices)
        return bm_err_set(BM_ERR_CONFIG, "[%s] %s is not an enum in the schema", section, key);
    int index = bm_config_enum(cfg, section, key);
    const char *p = k->choices;
    for (int i = 0; i < index && p; i++) {
        p = strchr(p, '|');
        if (p)
            p++;
    }
    if (!p || index < 0)
        return bm_err_set(BM_ERR_CONFIG, "[%s] %s: value index %d out of range", section, key,
                          index);
    size_t len = strcspn(p, "|");
    if (len >= size)
        return bm_err_set(BM_ERR_CONFIG, "[%s] %s: driver name too long", section, key);
    memcpy(buf, p, len);
    buf[len] = '\0';
    return BM_OK;
}

enum bm_err bm_registry_open(enum bm_device_class cls, const struct bm_device_params *p,
                             struct bm_device **out)
{
    *out = NULL;
    if ((unsigned)cls >= BM_CLASS_COUNT || !p || !p->cfg)
        return bm_err_set(BM_ERR_INVALID_ARG, "bm_registry_open: bad class or no config");
    const char *cname = bm_device_class_name(cls);
    char name[64];
    enum bm_err err = enum_choice(p->cfg, "devices", cname, name, sizeof name);
    if (err != BM_OK)
        return err;
    if (strcmp(name, "none") == 0)
        return bm_err_set(BM_ERR_NO_DEVICE, "[devices] %s = none", cname);

    const struct bm_driver *d = bm_registry_find(cls, name);
    if (!d) {
        char list[256] = "";
        size_t used = 0;
        const struct bm_driver *it;
        for (unsigned i = 0; (it = bm_registry_get(cls, i)) && used < sizeof list; i++) {
            int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", it->name);
            if (n > 0)
                used += (size_t)n;
        }
        return bm_err_set(BM_ERR_CONFIG, "[devices] %s = %s: not built in (have: %s, none)",
                          cname, name, list);
    }
    bm_log_info(cname, "opening driver %s", d->name);
    return bm_device_open(d, p, out);
}

void bm_registry_shutdown(void)
{
    sim_render_release();
}
