/*
 * sim_id_reader.c - the simulated ID card reader.
 *
 * It behaves as the real reader's polling loop does: a card placed on it (bm_sim_card_insert)
 * raises media-inserted with the card's identity once, removing it raises media-removed, and a
 * read returns the card on the reader or waits for one up to its timeout on the device's
 * clock. The SAM is always fine and has a fixed, obviously fake id. Like a real reader's driver,
 * it keeps no personal data between reads: it remembers which test card lies on it and when it
 * was placed, and builds the identity afresh for each read and event (so a session wipe leaves
 * no identity of ours behind).
 *
 * Threads: everything here runs on the device's worker thread.
 */
#include "sim_internal.h"

#include "core/log.h"

#include <stdio.h>

struct sim_reader {
    struct sim_common common; /* first: sim.c reads it */
    int card;         /* the enum bm_sim_card on the reader, NO_CARD if none */
    time_t placed_at; /* its dates (age, expiry) are as of this moment */
};

#define NO_CARD (-1)

static struct bm_identity *card_identity(const struct sim_reader *r)
{
    return bm_sim_card_identity((enum bm_sim_card)r->card, r->placed_at);
}

static void publish(struct bm_device *dev)
{
    struct sim_reader *r = bm_device_priv(dev);
    struct bm_device_status st;
    bm_device_get_status(dev, BM_CLASS_ID_READER, &st);
    st.device = BM_DEVICE_ONLINE;
    st.error = BM_OK;
    st.fix = BM_FIX_NONE;
    st.detail[0] = '\0';
    st.id_reader.media = r->card != NO_CARD ? BM_CARD_PRESENT : BM_CARD_NOT_PRESENT;
    st.id_reader.sam = BM_SAM_OK;
    snprintf(st.id_reader.sam_id, sizeof st.id_reader.sam_id, "%s", "SIM-05.01-00000000-0000");
    sim_publish(dev, &r->common, &st);
}

static void action(struct bm_device *dev, const struct sim_action *a)
{
    struct sim_reader *r = bm_device_priv(dev);
    switch (a->act) {
    case SIM_ACT_CARD_INSERT:
        if (!r->common.plugged) {
            bm_log_info("id_reader", "sim: card placed on an unplugged reader: ignored");
            return;
        }
        r->card = a->value;
        r->placed_at = bm_clock_wall(bm_device_clock(dev));
        publish(dev);
        bm_device_emit(dev, BM_EVENT_MEDIA_INSERTED, card_identity(r), NULL);
        break;
    case SIM_ACT_CARD_REMOVE:
        if (r->card == NO_CARD)
            return;
        r->card = NO_CARD;
        publish(dev);
        bm_device_emit(dev, BM_EVENT_MEDIA_REMOVED, NULL, NULL);
        break;
    default:
        bm_log_warn("id_reader", "sim: action %d does not apply to a card reader", (int)a->act);
        break;
    }
}

static enum bm_err sim_open(struct bm_device *dev)
{
    struct sim_reader *r = bm_device_priv(dev);
    sim_common_init(&r->common, publish, action);
    r->card = NO_CARD;
    struct bm_id_reader_caps caps = {
        .card_types = (1u << BM_ID_CARD_RESIDENT) | (1u << BM_ID_CARD_HMT_RESIDENCE) |
                      (1u << BM_ID_CARD_FOREIGN_PERMANENT) |
                      (1u << BM_ID_CARD_FOREIGN_PERMANENT_Y),
        .photo = true,
        .sam = true,
    };
    snprintf(caps.model, sizeof caps.model, "%s", "bianmin simulated ID card reader");
    bm_device_set_caps(dev, &caps, sizeof caps);
    publish(dev);
    return BM_OK;
}

static void sim_close(struct bm_device *dev)
{
    struct sim_reader *r = bm_device_priv(dev);
    r->card = NO_CARD;
}

static enum bm_err read_card(struct bm_device *dev, struct sim_reader *r, struct bm_cmd *cmd)
{
    const struct bm_id_read_params *p = cmd->args;
    enum bm_err err = sim_begin(dev, &r->common, cmd);
    if (err != BM_OK)
        return err;
    const struct bm_clock *clock = bm_device_clock(dev);
    uint64_t start = bm_clock_ms(clock);
    while (r->card == NO_CARD) {
        if (p->timeout_ms == 0)
            return bm_err_set(BM_ERR_NO_MEDIA, "no card on the reader");
        if (bm_clock_ms(clock) - start >= p->timeout_ms)
            return bm_err_set(BM_ERR_TIMEOUT, "no card within %u ms", p->timeout_ms);
        err = sim_step(dev, &r->common, cmd, 10);
        if (err != BM_OK)
            return err;
    }
    cmd->result = card_identity(r);
    return cmd->result ? BM_OK : bm_err_set(BM_ERR_NO_MEMORY, "identity copy");
}

static enum bm_err sim_run(struct bm_device *dev, struct bm_cmd *cmd)
{
    struct sim_reader *r = bm_device_priv(dev);
    switch (cmd->op) {
    case BM_OP_RESET:
        return sim_reset(dev, &r->common, cmd);
    case BM_OP_ID_READ:
        return read_card(dev, r, cmd);
    default:
        return bm_err_set(BM_ERR_UNSUPPORTED, "op %d on a card reader", (int)cmd->op);
    }
}

const struct bm_driver bm_sim_id_reader_driver = {
    .name = "sim",
    .description = "simulated ID card reader (fictional test cards)",
    .cls = BM_CLASS_ID_READER,
    .priv_size = sizeof(struct sim_reader),
    .tick_ms = 0,
    .open = sim_open,
    .close = sim_close,
    .run = sim_run,
};
