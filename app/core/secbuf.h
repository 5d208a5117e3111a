/*
 * secbuf.h - a buffer for personal data (ID card text, photo, scans, phone numbers).
 *
 * The memory is locked (mlock) where the process is permitted, so it does not reach swap, and
 * excluded from core dumps (MADV_DONTDUMP); it is zeroed with explicit_bzero when wiped or
 * freed. Every live buffer is on a registry so the session can wipe them all at once
 * (bm_secbuf_wipe_all) at session end. A buffer has a fixed capacity chosen at creation: there
 * is no realloc that could leave a copy behind. Any thread may use a buffer it owns; the
 * registry is locked.
 *
 * A job buffer (bm_secbuf_new_for_job) is the same in every respect but one: the session wipe
 * spares it. It belongs to a job that may outlive the session (a receipt still printing when
 * the resident walks away), and zeroing it would make the job print blank paper and report
 * success. Its owner frees it when the job ends, and decides at the session's end whether
 * anything of it is kept (the receipt printer class forgets its reprint copy then).
 */
#ifndef BM_CORE_SECBUF_H
#define BM_CORE_SECBUF_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>

struct bm_secbuf;

/* Hard cap on one buffer (a 600 dpi A4 colour scan is ~100 MB; we keep well below). */
#define BM_SECBUF_MAX ((size_t)64 * 1024 * 1024)

/* A zeroed buffer of capacity bytes (1..BM_SECBUF_MAX); NULL on failure (bm_err_detail says). */
struct bm_secbuf *bm_secbuf_new(size_t capacity);

/*
 * A job buffer: as bm_secbuf_new, but bm_secbuf_wipe_all leaves it alone (see above). It is
 * counted by bm_secbuf_live_count like any other buffer.
 */
struct bm_secbuf *bm_secbuf_new_for_job(size_t capacity);

/* Zeroes, unlocks and frees. NULL is ignored. */
void bm_secbuf_free(struct bm_secbuf *buf);

unsigned char *bm_secbuf_data(struct bm_secbuf *buf);
const unsigned char *bm_secbuf_cdata(const struct bm_secbuf *buf);
size_t bm_secbuf_capacity(const struct bm_secbuf *buf);

/* How many bytes are in use (0..capacity); set by the writer. */
size_t bm_secbuf_len(const struct bm_secbuf *buf);
enum bm_err bm_secbuf_set_len(struct bm_secbuf *buf, size_t len);

/* Copies len bytes in (replacing the content); BM_ERR_NO_MEMORY if over capacity. */
enum bm_err bm_secbuf_assign(struct bm_secbuf *buf, const void *src, size_t len);

/* Convenience for text: a NUL-terminated copy of s in a new buffer. */
struct bm_secbuf *bm_secbuf_strdup(const char *s);
/* The content as a C string (the buffer keeps a NUL after len). */
const char *bm_secbuf_str(const struct bm_secbuf *buf);

/* Whether mlock succeeded for this buffer (tests, diagnostics). */
bool bm_secbuf_locked(const struct bm_secbuf *buf);

/* Whether buf is a job buffer. */
bool bm_secbuf_is_job(const struct bm_secbuf *buf);

/* Zeroes the content and sets len to 0; the buffer stays usable. */
void bm_secbuf_wipe(struct bm_secbuf *buf);

/* Zeroes every live buffer but job buffers (session end). Returns how many were wiped. */
size_t bm_secbuf_wipe_all(void);

/* Number of live buffers, job buffers included (tests: proves the session freed what it made). */
size_t bm_secbuf_live_count(void);
/* Number of live job buffers (logs: what the session wipe spared). */
size_t bm_secbuf_job_count(void);

/*
 * Tests only: fn(data, size, ud) sees every buffer's bytes (all capacity + 1 of them) as
 * bm_secbuf_free begins, before free zeroes and unmaps them, on the freeing thread. A test
 * proves with it that personal data was already zeroed when its buffer went (the session's
 * wipe, tests/integration/test_session.c). NULL removes it.
 */
typedef void (*bm_secbuf_free_observer)(const unsigned char *data, size_t size, void *ud);
void bm_secbuf_set_free_observer(bm_secbuf_free_observer fn, void *ud);

#endif
