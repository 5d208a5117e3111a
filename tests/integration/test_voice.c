/*
 * test_voice.c - spoken guidance for real: espeak-ng synthesises every screen's prompt in both
 * languages, the voice service plays through SDL's dummy driver (real time) and disk driver
 * (a file, written at once), say returns at once, a newer say or the session's end cuts the
 * speech short, and a missing audio driver or espeak-ng data leaves a silent, working service;
 * in the real flow, elderly mode (theme and voice) and the home screen's voice button.
 * The program's own behaviour without audio is in test_program_voice.c.
 */
#include "test_support.h"

#include "core/config.h"
#include "core/i18n.h"
#include "core/paths.h"
#include "flow/flow_internal.h"
#include "services/voice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct bm_voice_config defaults = {.rate_wpm = 150, .volume = 100};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t codepoints(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static size_t words(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p != ' ' && (p == s || p[-1] == ' ');
    return n;
}

static int peak(const int16_t *pcm, size_t n)
{
    int m = 0;
    for (size_t i = 0; i < n; i++)
        m = abs(pcm[i]) > m ? abs(pcm[i]) : m;
    return m;
}

/* The prompt of screen in lang, through the program's translations. */
static const char *prompt_in(enum bm_flow_screen screen, const char *lang)
{
    assert_int_equal(bm_i18n_set_language(lang), BM_OK);
    return bm_flow_prompt(screen);
}

static uint64_t played(struct bm_voice *v)
{
    struct bm_voice_stats st;
    bm_voice_get_stats(v, &st);
    return st.samples_out;
}

/* Polls (no sleep-and-hope: a deadline) until the service has handed the device more audio
 * than `before` (taken before the say). */
static bool wait_playing(struct bm_voice *v, uint64_t before, unsigned timeout_ms)
{
    struct bm_voice_stats st;
    double end = now_ms() + timeout_ms;
    do {
        bm_voice_get_stats(v, &st);
        if (st.samples_out > before)
            return true;
        usleep(5000);
    } while (now_ms() < end);
    return false;
}

static void test_every_prompt_synthesises_in_both_languages(void **state)
{
    (void)state;
    for (int s = BM_FLOW_ATTRACT; s <= BM_FLOW_HOME; s++) {
        int16_t *pcm[2];
        size_t n[2];
        const char *langs[2] = {"zh_CN", "en"};
        for (int l = 0; l < 2; l++) {
            const char *text = prompt_in((enum bm_flow_screen)s, langs[l]);
            int rate = 0;
            double t0 = now_ms();
            assert_int_equal(bm_voice_render(&defaults, text, l ? BM_LANG_EN : BM_LANG_ZH_CN,
                                             &pcm[l], &n[l], &rate),
                             BM_OK);
            double secs = (double)n[l] / rate;
            printf("screen %d %s: %zu samples at %d Hz = %.2f s of speech, synthesised in "
                   "%.1f ms: %s\n",
                   s, langs[l], n[l], rate, secs, now_ms() - t0, text);
            assert_int_equal(rate, 22050);
            assert_true(peak(pcm[l], n[l]) > 2000); /* speech, not silence */
            if (l == 0) { /* Mandarin at 150 wpm: some 3-6 syllables a second */
                size_t chars = codepoints(text);
                assert_true(secs > 0.1 * (double)chars && secs < 0.6 * (double)chars);
            } else {
                size_t w = words(text);
                assert_true(secs > 0.2 * (double)w && secs < 1.0 * (double)w);
            }
        }
        /* Two languages, two different utterances. */
        assert_true(n[0] != n[1] || memcmp(pcm[0], pcm[1], n[0] * sizeof *pcm[0]) != 0);
        free(pcm[0]);
        free(pcm[1]);
    }
}

static void test_say_returns_at_once_and_a_second_say_cuts_the_first(void **state)
{
    (void)state;
    setenv("SDL_AUDIODRIVER", "dummy", 1); /* plays in real time: there is time to cut */
    struct bm_voice *v;
    assert_int_equal(bm_voice_create(&defaults, &v), BM_OK);
    const char *home = prompt_in(BM_FLOW_HOME, "zh_CN");
    const char *attract = prompt_in(BM_FLOW_ATTRACT, "en");

    double t0 = now_ms();
    bm_voice_say(v, home, BM_LANG_ZH_CN);
    double say_ms = now_ms() - t0;
    printf("say returned after %.3f ms\n", say_ms);
    /* ~0.01 ms. Wall time on purpose: waiting on the synthesis (seconds for this prompt) is
     * what must not happen; 250 ms leaves a loaded machine room to preempt the caller. */
    assert_true(say_ms < 250.0);
    assert_true(wait_playing(v, 0, 30000));

    t0 = now_ms();
    bm_voice_say(v, attract, BM_LANG_EN);
    say_ms = now_ms() - t0;
    printf("say while playing returned after %.3f ms\n", say_ms);
    assert_true(say_ms < 250.0);
    /* The home prompt alone plays ~12 s; cut, only the short one remains. */
    assert_true(bm_voice_wait_idle(v, 60000));
    double total = now_ms() - t0;
    struct bm_voice_stats st;
    bm_voice_get_stats(v, &st);
    printf("after the cut: idle %.0f ms later; %llu asked, %llu whole, %llu cut\n", total,
           (unsigned long long)st.requested, (unsigned long long)st.spoken,
           (unsigned long long)st.cut);
    assert_int_equal(st.requested, 2);
    /* Not cut, the rest of the home prompt (~12 s) would have played before the 4 s one. */
    assert_true(total < 11000.0);
    assert_int_equal(st.cut, 1);
    assert_int_equal(st.spoken, 1);
    assert_false(st.silent);

    /* A stop cuts too, promptly. */
    uint64_t base = played(v);
    bm_voice_say(v, home, BM_LANG_ZH_CN);
    assert_true(wait_playing(v, base, 30000));
    t0 = now_ms();
    bm_voice_stop(v);
    assert_true(bm_voice_wait_idle(v, 5000));
    printf("stop: silent after %.1f ms\n", now_ms() - t0);
    bm_voice_get_stats(v, &st);
    assert_int_equal(st.cut, 2);
    bm_voice_destroy(v);
}

/* The raw device output holds exactly the samples espeak-ng made. */
static void test_samples_reach_the_audio_output(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/voice.raw", bm_test_mkdtemp("voice"));
    setenv("SDL_AUDIODRIVER", "disk", 1);
    setenv("SDL_DISKAUDIOFILE", path, 1);
    setenv("SDL_DISKAUDIODELAY", "0", 1);

    const char *text = prompt_in(BM_FLOW_HOME, "en");
    int16_t *expected;
    size_t n;
    int rate;
    assert_int_equal(bm_voice_render(&defaults, text, BM_LANG_EN, &expected, &n, &rate), BM_OK);

    struct bm_voice *v;
    assert_int_equal(bm_voice_create(&defaults, &v), BM_OK);
    bm_voice_say(v, text, BM_LANG_EN);
    assert_true(bm_voice_wait_idle(v, 60000));
    struct bm_voice_stats st;
    bm_voice_get_stats(v, &st);
    bm_voice_destroy(v); /* the device is closed: the file is complete */
    unsetenv("SDL_DISKAUDIOFILE");
    assert_int_equal(st.spoken, 1);
    /* espeak-ng's output may differ by a few samples between two syntheses of one text. */
    printf("played %llu samples, rendered %zu\n", (unsigned long long)st.samples_out, n);
    assert_true(st.samples_out + n / 20 >= n && st.samples_out <= n + n / 20);

    size_t len;
    char *out = bm_test_read_file(path, &len);
    assert_non_null(out);
    printf("disk output: %zu bytes for %zu samples of speech\n", len, n);
    assert_true(len >= st.samples_out * sizeof *expected);
    /* The device took espeak-ng's format (22050 Hz mono s16) unconverted, after and before
     * silence: the sound in the file spans what was queued, as loud as what was rendered.
     * (Two syntheses of one text differ by a few hundred samples, so not byte for byte.) */
    const int16_t *pcm = (const int16_t *)out;
    size_t count = len / sizeof *pcm, first = 0, last = 0;
    while (first < count && pcm[first] == 0)
        first++;
    for (size_t i = first; i < count; i++)
        if (pcm[i] != 0)
            last = i;
    assert_true(first < count);
    size_t span = last + 1 - first;
    printf("sound spans %zu samples (%.2f s) of the file\n", span, (double)span / rate);
    assert_true(span <= st.samples_out && span + st.samples_out / 20 >= st.samples_out);
    int heard = peak(pcm + first, span), made = peak(expected, n);
    assert_true(heard > made * 9 / 10 && heard < made * 11 / 10 + 1);
    free(out);
    free(expected);
}

static void test_no_audio_driver_or_no_engine_is_silent_not_fatal(void **state)
{
    (void)state;
    setenv("SDL_AUDIODRIVER", "no-such-driver", 1);
    struct bm_voice *v;
    assert_int_equal(bm_voice_create(&defaults, &v), BM_OK);
    for (int i = 0; i < 3; i++) {
        bm_voice_say(v, prompt_in(BM_FLOW_ATTRACT, "zh_CN"), BM_LANG_ZH_CN);
        assert_true(bm_voice_wait_idle(v, 30000));
    }
    struct bm_voice_stats st;
    bm_voice_get_stats(v, &st);
    assert_true(st.silent);
    assert_int_equal(st.spoken, 3);
    assert_int_equal(st.samples_out, 0);
    bm_voice_destroy(v);
}

/* In a process of its own (espeak-ng is started once per process): no data, no speech. */
static int no_engine_child(void)
{
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    /* An espeak-ng-data that is empty: a path that does not exist would make espeak-ng fall
     * back to the installed data. */
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/espeak-ng-data", bm_test_mkdtemp("no-espeak"));
    if (mkdir(dir, 0755) != 0)
        return 5;
    *strrchr(dir, '/') = '\0';
    struct bm_voice_config no_data = defaults;
    no_data.data_dir = dir;
    struct bm_voice *v;
    if (bm_voice_create(&no_data, &v) != BM_OK)
        return 1;
    for (int i = 0; i < 3; i++) {
        bm_voice_say(v, "你好", BM_LANG_ZH_CN);
        if (!bm_voice_wait_idle(v, 30000))
            return 2;
    }
    struct bm_voice_stats st;
    bm_voice_get_stats(v, &st);
    bm_voice_destroy(v);
    if (!st.silent || st.samples_out != 0 || st.spoken != 3)
        return 3;
    int16_t *pcm;
    size_t n;
    int rate;
    if (bm_voice_render(&no_data, "你好", BM_LANG_ZH_CN, &pcm, &n, &rate) != BM_ERR_NOT_FOUND ||
        pcm)
        return 4;
    return 0;
}

static void test_no_engine_data_is_silent_not_fatal(void **state)
{
    (void)state;
    char cmd[4200];
    char self[4096];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(k > 0);
    self[k] = '\0';
    snprintf(cmd, sizeof cmd, "'%s' --no-engine 2>&1", self);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char out[8192];
    size_t len = fread(out, 1, sizeof out - 1, p);
    out[len] = '\0';
    int rc = pclose(p);
    printf("child: %s", out);
    assert_int_equal(rc, 0);
    /* Logged once for three prompts. */
    const char *first = strstr(out, "voice guidance stays silent");
    assert_non_null(first);
    assert_null(strstr(first + 1, "voice guidance stays silent"));
}

/* The real flow in this process, with the dummy audio driver, in Chinese; the sim devices
 * write under a fresh directory named after tag. */
static struct bm_flow *start_flow(const char *tag, struct bm_config **cfg)
{
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    assert_int_equal(bm_config_load(bm_paths_default_config(), cfg), BM_OK);
    char path[4200];
    snprintf(path, sizeof path, "%s/sim", bm_test_mkdtemp(tag));
    assert_int_equal(bm_config_set(*cfg, "sim", "output_dir", path), BM_OK);
    assert_int_equal(bm_i18n_set_language("zh_CN"), BM_OK);
    struct bm_flow_options opts = {0};
    struct bm_flow *flow;
    if (bm_flow_start(*cfg, &opts, &flow) != BM_OK)
        fail_msg("the flow did not start: %s", bm_err_detail());
    return flow;
}

/* The real flow: elderly mode speaks the home screen's prompt; the session's end cuts it. */
static void test_session_end_stops_speech(void **state)
{
    (void)state;
    struct bm_config *cfg;
    struct bm_flow *flow = start_flow("voice-flow", &cfg);
    assert_non_null(flow->voice);
    assert_false(flow->voice_on); /* [voice] enabled is false by default */

    assert_int_equal(bm_flow_tap(flow, "attract.start"), BM_OK);
    struct bm_voice_stats st;
    bm_voice_get_stats(flow->voice, &st);
    assert_int_equal(st.requested, 0); /* voice off, elderly mode off: nothing said */

    assert_int_equal(bm_flow_tap(flow, "home.language"), BM_OK);
    assert_int_equal(bm_flow_tap(flow, "home.language"), BM_OK);
    bm_voice_get_stats(flow->voice, &st);
    assert_int_equal(st.requested, 0); /* still nothing: voice is off */

    uint64_t base = played(flow->voice);
    assert_int_equal(bm_flow_tap(flow, "home.elderly"), BM_OK);
    assert_true(flow->elderly);
    assert_true(wait_playing(flow->voice, base, 30000));
    /* A switch of language says the prompt again in English, cutting the Chinese one. */
    base = played(flow->voice);
    assert_int_equal(bm_flow_tap(flow, "home.language"), BM_OK);
    assert_true(wait_playing(flow->voice, base, 30000));
    bm_voice_get_stats(flow->voice, &st);
    assert_int_equal(st.requested, 2);
    assert_int_equal(st.cut, 1);

    double t0 = now_ms();
    bm_flow_show(flow, BM_FLOW_ATTRACT); /* what the inactivity timeout does */
    assert_true(bm_voice_wait_idle(flow->voice, 5000));
    printf("session end: silent after %.1f ms\n", now_ms() - t0);
    bm_voice_get_stats(flow->voice, &st);
    assert_int_equal(st.requested, 2); /* the attract screen stays quiet: voice is off again */
    assert_int_equal(st.cut, 2);
    assert_false(flow->elderly);
    assert_int_equal(flow->lang, BM_LANG_ZH_CN);

    bm_flow_stop(flow);
    bm_config_free(cfg);
}

/* The home screen's switches in the real flow: elderly mode puts the elderly theme on the ui
 * and voice on; the voice button silences it even in elderly mode; the session's end brings
 * the standard theme back. */
static void test_elderly_theme_and_voice_button(void **state)
{
    (void)state;
    struct bm_config *cfg;
    struct bm_flow *flow = start_flow("voice-elderly", &cfg);
    assert_ptr_equal(bm_ui_theme(flow->ui), bm_theme_standard());
    assert_int_equal(bm_flow_tap(flow, "attract.start"), BM_OK);

    uint64_t base = played(flow->voice);
    assert_int_equal(bm_flow_tap(flow, "home.elderly"), BM_OK);
    assert_ptr_equal(bm_ui_theme(flow->ui), bm_theme_elderly());
    assert_true(flow->voice_on);
    assert_true(wait_playing(flow->voice, base, 30000));

    /* Voice off in elderly mode: silent at once, the theme stays. */
    assert_int_equal(bm_flow_tap(flow, "home.voice"), BM_OK);
    assert_false(flow->voice_on);
    assert_true(bm_voice_wait_idle(flow->voice, 5000));
    assert_ptr_equal(bm_ui_theme(flow->ui), bm_theme_elderly());
    /* And on again: the screen's prompt. */
    base = played(flow->voice);
    assert_int_equal(bm_flow_tap(flow, "home.voice"), BM_OK);
    assert_true(flow->voice_on);
    assert_true(wait_playing(flow->voice, base, 30000));

    /* Standard mode: the standard theme; voice stays as the button shows it. */
    assert_int_equal(bm_flow_tap(flow, "home.elderly"), BM_OK);
    assert_ptr_equal(bm_ui_theme(flow->ui), bm_theme_standard());
    assert_true(flow->voice_on);

    assert_int_equal(bm_flow_tap(flow, "home.elderly"), BM_OK);
    bm_flow_show(flow, BM_FLOW_ATTRACT); /* the session ends */
    assert_ptr_equal(bm_ui_theme(flow->ui), bm_theme_standard());
    assert_false(flow->elderly);
    assert_false(flow->voice_on);
    assert_true(bm_voice_wait_idle(flow->voice, 5000));

    bm_flow_stop(flow);
    bm_config_free(cfg);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--no-engine") == 0)
        return no_engine_child();
    if (bm_i18n_init(BM_LOCALEDIR_BUILD, "zh_CN") != BM_OK) {
        fprintf(stderr, "no translations in %s\n", BM_LOCALEDIR_BUILD);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_prompt_synthesises_in_both_languages),
        cmocka_unit_test(test_say_returns_at_once_and_a_second_say_cuts_the_first),
        cmocka_unit_test(test_samples_reach_the_audio_output),
        cmocka_unit_test(test_no_audio_driver_or_no_engine_is_silent_not_fatal),
        cmocka_unit_test(test_no_engine_data_is_silent_not_fatal),
        cmocka_unit_test(test_session_end_stops_speech),
        cmocka_unit_test(test_elderly_theme_and_voice_button),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
