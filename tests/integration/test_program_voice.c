/*
 * test_program_voice.c - voice guidance in the bianmin program as a kiosk runs it: with no
 * audio driver at all the kiosk starts, goes through its screens and quits cleanly, saying
 * once in its log that it is silent; with SDL's disk driver the prompts it speaks when a
 * resident turns voice on really reach the audio output.
 */
#include "program.h"
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t occurrences(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Asks for the demo's status until its voice line holds needle, or timeout_s passes. */
static bool wait_voice_status(struct bm_program *r, const char *needle, int timeout_s)
{
    for (int i = 0; i < timeout_s; i++) {
        bm_program_say(r, "status");
        char *out = bm_program_output(r);
        bool found = strstr(out, needle) != NULL;
        free(out);
        if (found || bm_program_wait_output(r, needle, 1))
            return true;
    }
    return false;
}

static void start(struct bm_program *r, const char *dir, const char *voice_enabled)
{
    static char simset[4300], voiceset[64];
    snprintf(simset, sizeof simset, "sim.output_dir=%s/sim", dir);
    snprintf(voiceset, sizeof voiceset, "voice.enabled=%s", voice_enabled);
    bm_program_start(r, BM_PROGRAM,
                     (const char *[]){"--demo-console", "--set", simset, "--set", voiceset, NULL});
}

static void test_no_audio_is_logged_once_and_never_fatal(void **state)
{
    (void)state;
    const char *dir = bm_test_mkdtemp("voice-none");
    setenv("SDL_AUDIODRIVER", "no-such-driver", 1);
    struct bm_program r;
    start(&r, dir, "true");
    /* The attract screen's prompt, at start: the first try finds no audio. */
    assert_true(bm_program_wait_output(&r, "voice guidance stays silent", 60));
    bm_program_say(&r, "tap attract.start");
    assert_true(bm_program_wait_output(&r, "screen home", 60));
    bm_program_say(&r, "tap home.language");
    bm_program_say(&r, "tap home.elderly");
    assert_true(bm_program_wait_output(&r, "elderly mode on", 60));
    /* Attract, home, home in English: three prompts asked, none heard, the kiosk unharmed. */
    assert_true(wait_voice_status(&r, "voice: on (silent); 3 prompts asked", 60));
    bm_program_say(&r, "quit");
    assert_int_equal(bm_program_finish(&r, 60), 0);
    char *out = bm_program_output(&r);
    assert_int_equal(occurrences(out, "voice guidance stays silent"), 1);
    free(out);
}

static void test_a_resident_turns_voice_on_and_it_is_played(void **state)
{
    (void)state;
    const char *dir = bm_test_mkdtemp("voice-disk");
    char raw[4200];
    snprintf(raw, sizeof raw, "%s/audio.raw", dir);
    setenv("SDL_AUDIODRIVER", "disk", 1);
    setenv("SDL_DISKAUDIOFILE", raw, 1);
    setenv("SDL_DISKAUDIODELAY", "0", 1);
    struct bm_program r;
    start(&r, dir, "false");
    assert_true(bm_program_wait_output(&r, "barcode (sim): online", 60));
    bm_program_say(&r, "tap attract.start");
    assert_true(bm_program_wait_output(&r, "screen home", 60));
    /* Voice is off by default: nothing asked yet. Then the resident switches it on. */
    assert_true(wait_voice_status(&r, "voice: off; 0 prompts asked", 60));
    bm_program_say(&r, "voice on");
    assert_true(wait_voice_status(&r, "voice: on; 1 prompts asked, 1 spoken to the end", 60));
    bm_program_say(&r, "quit");
    assert_int_equal(bm_program_finish(&r, 60), 0);
    unsetenv("SDL_DISKAUDIOFILE");

    size_t len;
    char *pcm = bm_test_read_file(raw, &len);
    assert_non_null(pcm);
    size_t loud = 0;
    for (size_t i = 0; i + 1 < len; i += 2) {
        int16_t s = (int16_t)((unsigned char)pcm[i] | (unsigned char)pcm[i + 1] << 8);
        loud += s > 1000 || s < -1000;
    }
    free(pcm);
    printf("audio output: %zu bytes, %zu loud samples\n", len, loud);
    assert_true(loud > 22050 / 2); /* the home prompt: seconds of speech */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_audio_is_logged_once_and_never_fatal),
        cmocka_unit_test(test_a_resident_turns_voice_on_and_it_is_played),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
