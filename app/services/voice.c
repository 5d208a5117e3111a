/*
 * voice.c - the voice service: espeak-ng synthesis into a buffer, played through SDL audio,
 * all on the service's own thread. See voice.h.
 *
 * One request slot, not a queue: a prompt only matters for the screen it belongs to, so a say
 * replaces what was pending, and a generation counter tells the thread that what it is
 * synthesising or playing has been superseded. The synthesis callback aborts on that, and the
 * playback wait (a condition wait, woken by say and stop) clears the device's queue.
 *
 * The engine and the audio are opened on the thread when first needed. A failure is logged
 * once and remembered: the service stays silent rather than retrying every prompt.
 */
#include "voice.h"

#include "core/log.h"

#include <SDL2/SDL.h>
#include <espeak-ng/espeak_ng.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_RATE_WPM 150
#define DEFAULT_VOLUME   100
/* Milliseconds of audio espeak-ng hands the callback at a time. */
#define SYNTH_CHUNK_MS 100
/* Playback is watched at this interval when nothing wakes the thread earlier. */
#define PLAY_POLL_MS 20

const char *bm_voice_name(enum bm_lang lang)
{
    return lang == BM_LANG_EN ? "en-us" : "cmn-latn-pinyin";
}

/* ---- the engine (one per process) ---- */

/* espeak-ng keeps global state: one user at a time, the service's thread or bm_voice_render.
 * It is started once and kept for the life of the process: espeak-ng 1.51 hangs in
 * espeak_ng_Terminate once it has been initialised a second time. */
static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;
static bool engine_ready;
static int engine_rate_hz;

/* With engine_lock held. Starts espeak-ng for synchronous output into our callback. */
static enum bm_err engine_open(const char *data_dir)
{
    if (engine_ready)
        return BM_OK;
    espeak_ng_InitializePath(data_dir);
    espeak_ng_ERROR_CONTEXT ctx = NULL;
    espeak_ng_STATUS st = espeak_ng_Initialize(&ctx);
    if (st == ENS_OK)
        st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, SYNTH_CHUNK_MS, NULL);
    if (st != ENS_OK) {
        char why[256];
        espeak_ng_GetStatusCodeMessage(st, why, sizeof why);
        espeak_ng_ClearErrorContext(&ctx);
        return bm_err_set(BM_ERR_NOT_FOUND, "espeak-ng: %s", why);
    }
    engine_rate_hz = espeak_ng_GetSampleRate();
    engine_ready = true;
    return BM_OK;
}

/* PCM collected by the synthesis callback; abort says when to give up early. */
struct pcm {
    int16_t *samples;
    size_t count, cap;
    bool failed;
    bool (*abort)(void *ud);
    void *abort_ud;
};

static int on_synth(short *wav, int n, espeak_EVENT *events)
{
    struct pcm *p = events ? events->user_data : NULL;
    if (!p)
        return 0;
    if (p->abort && p->abort(p->abort_ud))
        return 1; /* superseded: stop synthesising */
    if (!wav || n <= 0)
        return 0;
    if (p->count + (size_t)n > p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16384;
        while (cap < p->count + (size_t)n)
            cap *= 2;
        int16_t *s = realloc(p->samples, cap * sizeof *s);
        if (!s) {
            p->failed = true;
            return 1;
        }
        p->samples = s;
        p->cap = cap;
    }
    memcpy(p->samples + p->count, wav, (size_t)n * sizeof *wav);
    p->count += (size_t)n;
    return 0;
}

/* With engine_lock held and the engine open. Fills p (abort fields set by the caller). */
static enum bm_err synthesise(const struct bm_voice_config *cfg, const char *text,
                              enum bm_lang lang, struct pcm *p)
{
    const char *voice = bm_voice_name(lang);
    if (espeak_SetVoiceByName(voice) != EE_OK)
        return bm_err_set(BM_ERR_NOT_FOUND, "espeak-ng has no voice %s", voice);
    espeak_SetParameter(espeakRATE, cfg->rate_wpm > 0 ? cfg->rate_wpm : DEFAULT_RATE_WPM, 0);
    espeak_SetParameter(espeakVOLUME, cfg->volume > 0 ? cfg->volume : DEFAULT_VOLUME, 0);
    espeak_SetSynthCallback(on_synth);
    espeak_ERROR e =
        espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, p);
    if (p->failed)
        return bm_err_set(BM_ERR_NO_MEMORY, "voice: PCM buffer");
    if (e != EE_OK)
        return bm_err_set(BM_ERR_INTERNAL, "espeak-ng: synthesis failed (%d)", (int)e);
    return BM_OK;
}

enum bm_err bm_voice_render(const struct bm_voice_config *cfg, const char *text, enum bm_lang lang,
                            int16_t **pcm, size_t *count, int *rate_hz)
{
    *pcm = NULL;
    *count = 0;
    *rate_hz = 0;
    struct pcm p = {0};
    pthread_mutex_lock(&engine_lock);
    enum bm_err err = engine_open(cfg->data_dir);
    if (err == BM_OK) {
        *rate_hz = engine_rate_hz;
        err = synthesise(cfg, text, lang, &p);
    }
    pthread_mutex_unlock(&engine_lock);
    if (err != BM_OK) {
        free(p.samples);
        return err;
    }
    *pcm = p.samples;
    *count = p.count;
    return BM_OK;
}

/* ---- the service ---- */

struct bm_voice {
    struct bm_voice_config cfg;
    char *device; /* cfg's strings, owned */
    char *data_dir;

    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a say, a stop, or the end: to the thread */
    pthread_cond_t idle; /* the thread has nothing to do: to bm_voice_wait_idle */

    /* Under lock: the slot the thread takes its next utterance from. */
    char *pending;
    enum bm_lang pending_lang;
    bool busy; /* the thread is synthesising or playing */
    bool stopping;
    struct bm_voice_stats stats;

    /* Bumped by every say and stop; read without the lock by the synthesis callback. */
    atomic_uint_fast64_t generation;

    /* The thread's own. */
    bool audio_init, audio_broken, engine_broken, synthesis_failed;
    SDL_AudioDeviceID device_id;
    SDL_AudioSpec have;
};

struct superseded_check {
    struct bm_voice *v;
    uint_fast64_t generation;
};

static bool superseded(void *ud)
{
    const struct superseded_check *c = ud;
    return atomic_load(&c->v->generation) != c->generation;
}

/* The thread's first failure of a kind is worth one line; the rest are the same news. */
static void go_silent(struct bm_voice *v, bool *broken, const char *what)
{
    *broken = true;
    bm_log_warn("voice", "%s: voice guidance stays silent", what);
    pthread_mutex_lock(&v->lock);
    v->stats.silent = true;
    pthread_mutex_unlock(&v->lock);
}

/* On the thread: an open device, or false (logged once) when there is none to be had. */
static bool open_audio(struct bm_voice *v, int rate_hz)
{
    if (v->device_id)
        return true;
    if (v->audio_broken)
        return false;
    char why[512];
    if (!v->audio_init) {
        if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
            snprintf(why, sizeof why, "no audio driver (%s)", SDL_GetError());
            go_silent(v, &v->audio_broken, why);
            return false;
        }
        v->audio_init = true;
    }
    SDL_AudioSpec want = {.freq = rate_hz, .format = AUDIO_S16SYS, .channels = 1, .samples = 1024};
    const char *name = v->device && *v->device ? v->device : NULL;
    /* SDL converts to whatever the device takes: we always queue espeak-ng's format. */
    v->device_id = SDL_OpenAudioDevice(name, 0, &want, &v->have, 0);
    if (!v->device_id) {
        snprintf(why, sizeof why, "no audio device %s (%s)", name ? name : "(default)",
                 SDL_GetError());
        go_silent(v, &v->audio_broken, why);
        return false;
    }
    return true;
}

static void close_audio(struct bm_voice *v)
{
    if (v->device_id)
        SDL_CloseAudioDevice(v->device_id);
    v->device_id = 0;
}

/* On the thread, lock held: waits up to ms for a say, a stop or the end. */
static void wait_wake(struct bm_voice *v, unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&v->wake, &v->lock, &ts);
}

/* On the thread: plays p until its end (true) or until superseded (false). */
static bool play(struct bm_voice *v, const struct pcm *p, struct superseded_check *check)
{
    if (SDL_QueueAudio(v->device_id, p->samples, (Uint32)(p->count * sizeof *p->samples)) != 0) {
        bm_log_warn("voice", "queueing audio: %s", SDL_GetError());
        return true; /* not a cut: nothing will be heard of this one */
    }
    pthread_mutex_lock(&v->lock);
    v->stats.samples_out += p->count;
    pthread_mutex_unlock(&v->lock);
    SDL_PauseAudioDevice(v->device_id, 0);
    /* The queue drains into the device's buffer; the buffer's last block then still plays. */
    unsigned tail_ms = v->have.freq > 0 ? 2000u * v->have.samples / (unsigned)v->have.freq : 0;
    Uint64 drained_at = 0;
    bool cut = false;
    pthread_mutex_lock(&v->lock);
    for (;;) {
        if (v->stopping || superseded(check)) {
            cut = true;
            break;
        }
        if (SDL_GetQueuedAudioSize(v->device_id) == 0) {
            if (!drained_at)
                drained_at = SDL_GetTicks64();
            if (SDL_GetTicks64() - drained_at >= tail_ms)
                break;
        }
        wait_wake(v, PLAY_POLL_MS);
    }
    pthread_mutex_unlock(&v->lock);
    SDL_PauseAudioDevice(v->device_id, 1);
    SDL_ClearQueuedAudio(v->device_id);
    return !cut;
}

/* On the thread: one utterance, from text to the end of its sound (or its cut). */
static void speak(struct bm_voice *v, const char *text, enum bm_lang lang,
                  struct superseded_check *check)
{
    struct pcm p = {.abort = superseded, .abort_ud = check};
    enum bm_err err = BM_ERR_NOT_FOUND;
    int rate_hz = 0;
    if (!v->engine_broken) {
        pthread_mutex_lock(&engine_lock);
        err = engine_open(v->data_dir);
        bool no_engine = err != BM_OK;
        if (err == BM_OK) {
            rate_hz = engine_rate_hz;
            err = synthesise(&v->cfg, text, lang, &p);
        }
        pthread_mutex_unlock(&engine_lock);
        if (no_engine)
            go_silent(v, &v->engine_broken, bm_err_detail());
    }
    pthread_mutex_lock(&v->lock);
    v->stats.sample_rate = rate_hz;
    pthread_mutex_unlock(&v->lock);

    bool whole = false;
    if (superseded(check)) { /* a say, a stop or the end came first */
        whole = false;
    } else if (err != BM_OK) {
        /* A voice missing from espeak-ng's data fails every prompt alike: said once. */
        if (!v->engine_broken && !v->synthesis_failed)
            bm_log_err(BM_LOG_WARN, "voice", err, "synthesis (further failures not logged)");
        v->synthesis_failed = true;
        whole = true; /* nothing to cut */
    } else if (p.count > 0 && open_audio(v, rate_hz)) {
        whole = play(v, &p, check);
    } else {
        whole = true; /* silent, but said as far as the caller is concerned */
    }
    free(p.samples);
    pthread_mutex_lock(&v->lock);
    if (whole)
        v->stats.spoken++;
    else
        v->stats.cut++;
    pthread_mutex_unlock(&v->lock);
}

static void *voice_thread(void *arg)
{
    struct bm_voice *v = arg;
    pthread_mutex_lock(&v->lock);
    for (;;) {
        while (!v->stopping && !v->pending) {
            if (v->device_id) {
                /* Fallen silent: give the device back until the next prompt. */
                pthread_mutex_unlock(&v->lock);
                close_audio(v);
                pthread_mutex_lock(&v->lock);
                continue;
            }
            v->busy = false;
            pthread_cond_broadcast(&v->idle);
            pthread_cond_wait(&v->wake, &v->lock);
        }
        if (v->stopping)
            break;
        char *text = v->pending;
        enum bm_lang lang = v->pending_lang;
        struct superseded_check check = {v, atomic_load(&v->generation)};
        v->pending = NULL;
        v->busy = true;
        pthread_mutex_unlock(&v->lock);
        speak(v, text, lang, &check);
        free(text);
        pthread_mutex_lock(&v->lock);
    }
    v->busy = false;
    pthread_cond_broadcast(&v->idle);
    pthread_mutex_unlock(&v->lock);
    close_audio(v);
    if (v->audio_init)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    SDL_TLSCleanup(); /* SDL's error text for this thread, which SDL did not create */
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

enum bm_err bm_voice_create(const struct bm_voice_config *cfg, struct bm_voice **out)
{
    *out = NULL;
    struct bm_voice *v = calloc(1, sizeof *v);
    if (!v)
        return bm_err_set(BM_ERR_NO_MEMORY, "voice");
    v->cfg = *cfg;
    v->device = dup_or_null(cfg->device);
    v->data_dir = dup_or_null(cfg->data_dir);
    if ((cfg->device && !v->device) || (cfg->data_dir && !v->data_dir)) {
        free(v->device);
        free(v->data_dir);
        free(v);
        return bm_err_set(BM_ERR_NO_MEMORY, "voice");
    }
    v->cfg.device = v->device;
    v->cfg.data_dir = v->data_dir;
    atomic_init(&v->generation, 0);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->wake, &ca);
    pthread_cond_init(&v->idle, NULL);
    pthread_condattr_destroy(&ca);
    v->busy = true; /* until the thread first waits */
    int rc = pthread_create(&v->thread, NULL, voice_thread, v);
    if (rc != 0) {
        pthread_cond_destroy(&v->wake);
        pthread_cond_destroy(&v->idle);
        pthread_mutex_destroy(&v->lock);
        free(v->device);
        free(v->data_dir);
        free(v);
        return bm_err_set(BM_ERR_INTERNAL, "voice thread: %s", strerror(rc));
    }
    pthread_setname_np(v->thread, "voice");
    *out = v;
    return BM_OK;
}

void bm_voice_destroy(struct bm_voice *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    v->stopping = true;
    atomic_fetch_add(&v->generation, 1);
    pthread_cond_signal(&v->wake);
    pthread_mutex_unlock(&v->lock);
    pthread_join(v->thread, NULL);
    free(v->pending);
    pthread_cond_destroy(&v->wake);
    pthread_cond_destroy(&v->idle);
    pthread_mutex_destroy(&v->lock);
    free(v->device);
    free(v->data_dir);
    free(v);
}

/* Under lock: whatever is pending or playing is superseded. */
static void cut_locked(struct bm_voice *v)
{
    free(v->pending);
    v->pending = NULL;
    atomic_fetch_add(&v->generation, 1);
    pthread_cond_signal(&v->wake);
}

void bm_voice_say(struct bm_voice *v, const char *text, enum bm_lang lang)
{
    if (!v)
        return;
    /* Copied before the lock: the thread never waits on our allocator. */
    char *copy = text && *text ? strdup(text) : NULL;
    pthread_mutex_lock(&v->lock);
    cut_locked(v);
    if (copy) {
        v->pending = copy;
        v->pending_lang = lang;
        v->busy = true;
        v->stats.requested++;
    }
    pthread_mutex_unlock(&v->lock);
}

void bm_voice_stop(struct bm_voice *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    cut_locked(v);
    pthread_mutex_unlock(&v->lock);
}

void bm_voice_get_stats(struct bm_voice *v, struct bm_voice_stats *out)
{
    if (!v) {
        *out = (struct bm_voice_stats){.silent = true};
        return;
    }
    pthread_mutex_lock(&v->lock);
    *out = v->stats;
    out->speaking = v->busy || v->pending;
    pthread_mutex_unlock(&v->lock);
}

bool bm_voice_wait_idle(struct bm_voice *v, unsigned timeout_ms)
{
    if (!v)
        return true;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&v->lock);
    int rc = 0;
    while ((v->busy || v->pending) && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&v->idle, &v->lock, &ts);
    bool idle = !v->busy && !v->pending;
    pthread_mutex_unlock(&v->lock);
    return idle;
}
