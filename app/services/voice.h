/*
 * voice.h - spoken guidance: short prompts read aloud by espeak-ng through SDL audio.
 *
 * The voice service owns one thread. bm_voice_say hands it a text and returns at once; the
 * thread synthesises the text into PCM (espeak-ng, AUDIO_OUTPUT_SYNCHRONOUS into a buffer) and
 * queues it on an SDL audio device it opens itself. A newer say or a stop cuts short whatever
 * is pending or playing: a new screen's prompt replaces the old one. The device is opened for
 * an utterance and closed when the kiosk falls silent, so an idle kiosk keeps no audio thread
 * awake.
 *
 * Audio is optional. No espeak-ng data, no audio driver, no device, a device that fails to
 * open: each is logged once and the service goes on silently; say and stop stay cheap no-ops
 * as far as the caller can tell. Only texts the program itself owns are spoken (the screens'
 * prompts): never personal data, which is why the service may log what it says.
 *
 * The espeak-ng header lives in voice.c only (tests/lint.sh). espeak-ng is one global engine
 * per process: one voice service at a time, and bm_voice_render only while none runs.
 * bm_voice_say, bm_voice_stop and bm_voice_get_stats: any thread; create and destroy: one
 * thread (the main thread in the program), after SDL_Init and before SDL_Quit.
 */
#ifndef BM_SERVICES_VOICE_H
#define BM_SERVICES_VOICE_H

#include "core/err.h"
#include "core/i18n.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bm_voice;

struct bm_voice_config {
    int rate_wpm;         /* speaking rate in words per minute, 80..450 (0: 150) */
    int volume;           /* 0..100, 100 being espeak-ng's normal loudness (0: 100) */
    const char *device;   /* SDL audio device name; NULL or "": the system's default */
    const char *data_dir; /* the directory holding espeak-ng-data; NULL: the installed one */
};

/* The espeak-ng voice for lang: cmn-latn-pinyin for Chinese (Debian 12's "cmn" reads pinyin
 * with English tone numbers), en-us for English. */
const char *bm_voice_name(enum bm_lang lang);

/*
 * Starts the voice thread. Fails only when the thread cannot start (BM_ERR_NO_MEMORY,
 * BM_ERR_INTERNAL); a missing engine or audio device is found on the thread, logged once, and
 * leaves a silent service.
 */
enum bm_err bm_voice_create(const struct bm_voice_config *cfg, struct bm_voice **out);

/* Cuts any speech short, stops the thread and closes the audio device. NULL is ignored. */
void bm_voice_destroy(struct bm_voice *v);

/*
 * Speaks text (UTF-8, copied) in lang, cutting short whatever was pending or playing. Returns
 * at once. NULL v or an empty text: nothing is said, but what was playing still stops.
 */
void bm_voice_say(struct bm_voice *v, const char *text, enum bm_lang lang);

/* Cuts short whatever is pending or playing. Returns at once. NULL is ignored. */
void bm_voice_stop(struct bm_voice *v);

/* What the service has done, for tests, the demo's status and technicians. */
struct bm_voice_stats {
    uint64_t requested;   /* say calls with a text */
    uint64_t spoken;      /* utterances played to their end */
    uint64_t cut;         /* utterances cut short (by a say or a stop) before their end */
    uint64_t samples_out; /* samples handed to the audio device */
    int sample_rate;      /* espeak-ng's output rate in Hz (0 before the engine started) */
    bool speaking;        /* an utterance is being synthesised or played now */
    bool silent;          /* the engine or the audio device is missing: nothing is heard */
};
void bm_voice_get_stats(struct bm_voice *v, struct bm_voice_stats *out);

/*
 * Waits until nothing is pending or playing, or timeout_ms passes; returns whether idle.
 * For tests and a clean end of a demo; never on the main thread of a running kiosk.
 */
bool bm_voice_wait_idle(struct bm_voice *v, unsigned timeout_ms);

/*
 * Synthesises text in lang on the calling thread into mono signed 16-bit PCM: *pcm (malloc'd,
 * the caller frees), *count samples at *rate_hz. For tests and tools; not while a voice
 * service runs (espeak-ng is one engine per process). BM_ERR_NOT_FOUND without espeak-ng's
 * data or the voice.
 */
enum bm_err bm_voice_render(const struct bm_voice_config *cfg, const char *text, enum bm_lang lang,
                            int16_t **pcm, size_t *count, int *rate_hz);

#endif
