/*
 * outbox_cli.c - the technicians' outbox commands (outbox_cli.h), over the outbox's own API.
 */
#include "outbox_cli.h"
#include "outbox.h"

#include "core/paths.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void print_time(FILE *out, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char text[32];
    localtime_r(&t, &tm);
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    fputs(text, out);
}

static enum bm_err status(struct bm_outbox *ob, FILE *out)
{
    struct bm_outbox_stats st;
    enum bm_err err = bm_outbox_stats(ob, &st);
    if (err != BM_OK)
        return err;
    fprintf(out, "queued: %" PRIu64 " items, %" PRIu64 " KiB\n", st.queued, st.queued_bytes / 1024);
    if (st.oldest_ms) {
        fputs("oldest: ", out);
        print_time(out, st.oldest_ms);
        fputc('\n', out);
    }
    fprintf(out, "dead letters: %" PRIu64 "\n", st.dead);
    fprintf(out, "delivered keys remembered: %" PRIu64 "\n", st.delivered);
    fprintf(out, "database: %" PRIu64 " KiB of a %" PRIu64 " MiB cap%s\n", st.file_bytes / 1024,
            st.max_bytes >> 20, st.full ? " (full: the last put found no room)" : "");
    return BM_OK;
}

static bool print_dead(const struct bm_outbox_dead *d, void *ud)
{
    FILE *out = ud;
    fprintf(out, "%" PRId64 "\t%s\t%s\t%s\t", d->id, bm_outbox_kind_name(d->kind), d->key,
            d->group[0] ? d->group : "-");
    print_time(out, d->dead_ms);
    fprintf(out, "\t%u\t%d\t%s\n", d->attempts, d->status, d->reason);
    return true;
}

static enum bm_err retry(struct bm_outbox *ob, const char *arg, FILE *out)
{
    char *end;
    errno = 0;
    long long id = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || id <= 0)
        return bm_err_set(BM_ERR_INVALID_ARG, "retry: \"%s\" is not a dead letter's id", arg);
    enum bm_err err = bm_outbox_dead_retry(ob, (int64_t)id);
    if (err == BM_OK)
        fprintf(out, "dead letter %lld is queued again (with the rest of its group)\n", id);
    return err;
}

static enum bm_err export(struct bm_outbox *ob, const char *arg, FILE *out) {
    FILE *to = strcmp(arg, "-") == 0 ? out : fopen(arg, "wx"); /* never over a file */
    if (!to) return bm_err_set(BM_ERR_IO, "export: %s: %s", arg, strerror(errno));
    enum bm_err err = bm_outbox_dead_export(ob, to);
    if (to != out && fclose(to) != 0 && err == BM_OK)
        err = bm_err_set(BM_ERR_IO, "export: %s: %s", arg, strerror(errno));
    return err;
}

enum bm_err bm_outbox_cli(const struct bm_config *cfg, const char *cmd, const char *arg, FILE *out)
{
    bool needs_arg = strcmp(cmd, "retry") == 0 || strcmp(cmd, "export") == 0;
    bool known = needs_arg || strcmp(cmd, "status") == 0 || strcmp(cmd, "dead") == 0;
    if (!known)
        return bm_err_set(BM_ERR_INVALID_ARG,
                          "--outbox %s: unknown; use status, dead, retry ID or export FILE", cmd);
    if (needs_arg != (arg != NULL))
        return bm_err_set(BM_ERR_INVALID_ARG, "--outbox %s: %s", cmd,
                          needs_arg ? "needs its argument" : "takes no argument");
    char path[1024], key[1024];
    if (!bm_paths_from_config(cfg, "sync", "outbox", "", path, sizeof path) ||
        !bm_paths_from_config(cfg, "sync", "key_file", "", key, sizeof key))
        return bm_err_set(BM_ERR_CONFIG, "[sync] outbox or key_file: path too long");
    /* Opening creates what is missing: a technician's look must not. */
    if (access(path, F_OK) != 0 || access(key, F_OK) != 0)
        return bm_err_set(BM_ERR_NOT_FOUND, "no outbox here: %s or its key %s is missing", path,
                          key);
    struct bm_outbox_config oc = {.path = path, .key_path = key};
    struct bm_outbox *ob;
    enum bm_err err = bm_outbox_open(&oc, &ob);
    if (err != BM_OK)
        return err;
    if (strcmp(cmd, "status") == 0)
        err = status(ob, out);
    else if (strcmp(cmd, "dead") == 0)
        err = bm_outbox_dead_list(ob, print_dead, out);
    else if (strcmp(cmd, "retry") == 0)
        err = retry(ob, arg, out);
    else
        err = export(ob, arg, out);
    bm_outbox_close(ob);
    return err;
}
