/*
 * bench_catalog.c - how long loading a catalog takes and how much memory a loaded one holds.
 *
 * Loads the bundled catalog (17 services) and a large one made from it (the services copied
 * under new ids up to the format's 512), each RUNS times, and prints the median and best load
 * time and the memory the loaded catalog keeps (the process's resident growth while 20 copies
 * are held, divided by 20). A benchmark prints numbers; it does not pass or fail.
 * Usage: bench_catalog [RUNS]   (built with the tests; see tests/bench/run.sh)
 */
#include "services/catalog.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure(const char *label, const char *json, size_t len, int runs)
{
    double *t = calloc((size_t)runs, sizeof *t);
    for (int i = 0; i < runs; i++) {
        struct bm_catalog *cat = NULL;
        double t0 = now_ms();
        if (bm_catalog_parse(json, len, label, NULL, NULL, &cat) != BM_OK) {
            fprintf(stderr, "%s: does not load\n", label);
            exit(1);
        }
        t[i] = now_ms() - t0;
        bm_catalog_unref(cat);
    }
    qsort(t, (size_t)runs, sizeof *t, by_value);

    enum { HELD = 20 };
    struct bm_catalog *held[HELD];
    long before = rss_kb();
    for (int i = 0; i < HELD; i++)
        bm_catalog_parse(json, len, label, NULL, NULL, &held[i]);
    long after = rss_kb();
    size_t services = bm_catalog_service_count(held[0]);
    for (int i = 0; i < HELD; i++)
        bm_catalog_unref(held[i]);
    printf("%-8s %6zu KiB JSON, %3zu services: load median %.2f ms, best %.2f ms; "
           "%ld KiB held per catalog\n",
           label, len / 1024, services, t[runs / 2], t[0], (after - before) / HELD);
    free(t);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 50;
    if (runs < 1)
        runs = 1;
    FILE *f = fopen(BM_SOURCE_DIR "/config/catalog.json", "rb");
    if (!f)
        return 1;
    static char buf[BM_CATALOG_MAX_BYTES];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    measure("bundled", buf, len, runs);

    /* The large one: the bundled services copied under new ids up to 512, no quick ranks. */
    json_t *root = json_loadb(buf, len, 0, NULL);
    json_t *services = json_object_get(root, "services");
    size_t base = json_array_size(services);
    for (size_t i = 0; json_array_size(services) < 512; i++) {
        json_t *copy = json_deep_copy(json_array_get(services, i % base));
        char id[40];
        snprintf(id, sizeof id, "copy_%zu", i);
        json_object_set_new(copy, "id", json_string(id));
        json_object_del(copy, "quick_rank");
        json_array_append_new(services, copy);
    }
    char *big = json_dumps(root, JSON_COMPACT);
    measure("large", big, strlen(big), runs / 5 + 1);
    json_free_t jfree;
    json_get_alloc_funcs(NULL, &jfree);
    jfree(big);
    json_decref(root);
    return 0;
}
