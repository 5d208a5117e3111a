/*
 * secbuf.c - buffers for personal data: locked, kept out of core dumps, zeroed on wipe and free.
 *
 * Design. Each buffer's bytes live in an anonymous private mapping of their own, rounded up to
 * whole pages (capacity + 1, for the NUL always kept after len). We chose mmap over malloc +
 * mlock because mlock, munlock and madvise act on whole pages: on a malloc'd block they would
 * also lock (or hide from dumps) whatever heap objects share its first and last page, and the
 * munlock at free would unlock a page that may still hold a neighbouring buffer's secret. A
 * mapping of its own gives each buffer exact MADV_DONTDUMP and MADV_WIPEONFORK (a forked child
 * sees zeros), and munmap returns the pages to the kernel, so no copy lingers in an allocator's
 * free lists. The price, at least one page per buffer, is nothing for the handful of buffers a
 * session holds. The small header (pointers and sizes, no personal data) is an ordinary malloc.
 *
 * mlock failing is normal for an unprivileged process over RLIMIT_MEMLOCK (64 KiB by default on
 * many systems, less than one scan): the buffer is then simply not locked, bm_secbuf_locked()
 * says so, and nothing fails. Diagnostics can report it; systemd's LimitMEMLOCK fixes it.
 *
 * Every live buffer is on one doubly linked registry under a mutex, so the session can wipe
 * them all at its end (bm_secbuf_wipe_all) and tests can prove nothing was left alive. A job
 * buffer is an ordinary buffer with a flag the wipe skips: its owner (a print job that may
 * finish after the session) frees it, so it is never left unwiped, only wiped later.
 *
 * Threads: any thread may create and free buffers; a buffer's content belongs to its owner and
 * is not locked. bm_secbuf_wipe_all zeroes every buffer but job buffers, so call it when no
 * other thread is writing one (the session end, after the flow has cancelled its requests);
 * job buffers are the exception because a worker may be reading one (a printer printing).
 */
#include "secbuf.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct bm_secbuf {
    unsigned char *data;
    size_t capacity; /* usable bytes; data[capacity] is the spare byte for the NUL */
    size_t len;
    size_t map_size;
    bool locked;
    bool job; /* spared by bm_secbuf_wipe_all; set at creation, never changed */
    struct bm_secbuf *prev, *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bm_secbuf *registry;
static size_t live;
static size_t live_jobs;
static bm_secbuf_free_observer free_observer; /* tests only; under registry_lock */
static void *free_observer_ud;

static size_t page_size(void)
{
    long sz = sysconf(_SC_PAGESIZE);
    return sz > 0 ? (size_t)sz : 4096;
}

static struct bm_secbuf *new_buffer(size_t capacity, bool job)
{
    if (capacity == 0 || capacity > BM_SECBUF_MAX) {
        bm_err_set(BM_ERR_INVALID_ARG, "secbuf: capacity %zu outside 1..%zu", capacity,
                   (size_t)BM_SECBUF_MAX);
        return NULL;
    }
    struct bm_secbuf *buf = calloc(1, sizeof *buf);
    if (!buf) {
        bm_err_set(BM_ERR_NO_MEMORY, "secbuf: header allocation failed");
        return NULL;
    }
    size_t page = page_size();
    buf->map_size = (capacity + 1 + page - 1) / page * page;
    void *mem =
        mmap(NULL, buf->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        int e = errno;
        free(buf);
        bm_err_set(BM_ERR_NO_MEMORY, "secbuf: mmap of %zu bytes: %s", capacity, strerror(e));
        return NULL;
    }
    buf->data = mem;
    buf->capacity = capacity;
    buf->job = job;
    /* Best effort, each on its own: none of them is worth refusing the buffer over. */
    buf->locked = mlock(mem, buf->map_size) == 0;
#ifdef MADV_DONTDUMP
    (void)madvise(mem, buf->map_size, MADV_DONTDUMP);
#endif
#ifdef MADV_WIPEONFORK
    (void)madvise(mem, buf->map_size, MADV_WIPEONFORK);
#endif

    pthread_mutex_lock(&registry_lock);
    buf->next = registry;
    if (registry)
        registry->prev = buf;
    registry = buf;
    live++;
    live_jobs += job;
    pthread_mutex_unlock(&registry_lock);
    return buf;
}

struct bm_secbuf *bm_secbuf_new(size_t capacity)
{
    return new_buffer(capacity, false);
}

struct bm_secbuf *bm_secbuf_new_for_job(size_t capacity)
{
    return new_buffer(capacity, true);
}

void bm_secbuf_free(struct bm_secbuf *buf)
{
    if (!buf)
        return;
    pthread_mutex_lock(&registry_lock);
    if (buf->prev)
        buf->prev->next = buf->next;
    else
        registry = buf->next;
    if (buf->next)
        buf->next->prev = buf->prev;
    live--;
    live_jobs -= buf->job;
    bm_secbuf_free_observer observe = free_observer;
    void *observe_ud = free_observer_ud;
    pthread_mutex_unlock(&registry_lock);
    if (observe)
        observe(buf->data, buf->capacity + 1, observe_ud);

    /* The whole mapping, not just len: a writer may have used bytes past len. */
    explicit_bzero(buf->data, buf->map_size);
    if (buf->locked)
        munlock(buf->data, buf->map_size);
    munmap(buf->data, buf->map_size);
    explicit_bzero(buf, sizeof *buf);
    free(buf);
}

unsigned char *bm_secbuf_data(struct bm_secbuf *buf)
{
    return buf ? buf->data : NULL;
}

const unsigned char *bm_secbuf_cdata(const struct bm_secbuf *buf)
{
    return buf ? buf->data : NULL;
}

size_t bm_secbuf_capacity(const struct bm_secbuf *buf)
{
    return buf ? buf->capacity : 0;
}

size_t bm_secbuf_len(const struct bm_secbuf *buf)
{
    return buf ? buf->len : 0;
}

enum bm_err bm_secbuf_set_len(struct bm_secbuf *buf, size_t len)
{
    if (!buf)
        return bm_err_set(BM_ERR_INVALID_ARG, "secbuf: NULL buffer");
    if (len > buf->capacity)
        return bm_err_set(BM_ERR_INVALID_ARG, "secbuf: length %zu over capacity %zu", len,
                          buf->capacity);
    buf->len = len;
    buf->data[len] = '\0';
    return BM_OK;
}

enum bm_err bm_secbuf_assign(struct bm_secbuf *buf, const void *src, size_t len)
{
    if (!buf || (!src && len))
        return bm_err_set(BM_ERR_INVALID_ARG, "secbuf: NULL buffer or source");
    if (len > buf->capacity)
        return bm_err_set(BM_ERR_NO_MEMORY, "secbuf: %zu bytes over capacity %zu", len,
                          buf->capacity);
    if (len)
        memmove(buf->data, src, len);
    /* A shorter new content must not leave the tail of the old one behind. */
    if (buf->len > len)
        explicit_bzero(buf->data + len, buf->len - len);
    buf->len = len;
    buf->data[len] = '\0';
    return BM_OK;
}

struct bm_secbuf *bm_secbuf_strdup(const char *s)
{
    if (!s) {
        bm_err_set(BM_ERR_INVALID_ARG, "secbuf: NULL string");
        return NULL;
    }
    size_t n = strlen(s);
    struct bm_secbuf *buf = bm_secbuf_new(n ? n : 1);
    if (buf && bm_secbuf_assign(buf, s, n) != BM_OK) {
        bm_secbuf_free(buf);
        return NULL;
    }
    return buf;
}

const char *bm_secbuf_str(const struct bm_secbuf *buf)
{
    return buf ? (const char *)buf->data : "";
}

bool bm_secbuf_locked(const struct bm_secbuf *buf)
{
    return buf && buf->locked;
}

bool bm_secbuf_is_job(const struct bm_secbuf *buf)
{
    return buf && buf->job;
}

void bm_secbuf_wipe(struct bm_secbuf *buf)
{
    if (!buf)
        return;
    explicit_bzero(buf->data, buf->capacity + 1);
    buf->len = 0;
}

size_t bm_secbuf_wipe_all(void)
{
    size_t n = 0;
    pthread_mutex_lock(&registry_lock);
    for (struct bm_secbuf *b = registry; b; b = b->next) {
        if (b->job)
            continue; /* its job may still be using it; its owner frees it */
        bm_secbuf_wipe(b);
        n++;
    }
    pthread_mutex_unlock(&registry_lock);
    return n;
}

size_t bm_secbuf_live_count(void)
{
    pthread_mutex_lock(&registry_lock);
    size_t n = live;
    pthread_mutex_unlock(&registry_lock);
    return n;
}

size_t bm_secbuf_job_count(void)
{
    pthread_mutex_lock(&registry_lock);
    size_t n = live_jobs;
    pthread_mutex_unlock(&registry_lock);
    return n;
}

void bm_secbuf_set_free_observer(bm_secbuf_free_observer fn, void *ud)
{
    pthread_mutex_lock(&registry_lock);
    free_observer = fn;
    free_observer_ud = ud;
    pthread_mutex_unlock(&registry_lock);
}
