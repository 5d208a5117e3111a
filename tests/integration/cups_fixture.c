/*
 * cups_fixture.c - a private cupsd per test (see cups_fixture.h), as
 * ../shared/testing/hardware-free.md "Document printing" describes it.
 *
 * The tree lives under /tmp (a domain socket path must stay under 108 bytes, which a build
 * directory does not promise): configs, a copy of /usr/sbin/cupsd (an AppArmor profile for the
 * system binary forbids /tmp paths), ServerRoot, spool, cache, logs, and a ServerBin whose
 * backend/ holds the fake backend, with daemon/ (cups-exec), filter/ and notifier/ linked to
 * the system's. cupsd drops to User lp / Group lp when started as root (it refuses User root),
 * so the tree is world-readable and out/ world-writable; as another user it runs as that user.
 * DirtyCleanInterval 0 writes printers.conf at once, so the queue survives a restart.
 *
 * Waits poll (the socket, lpstat) with generous hang guards; nothing sleeps a fixed time.
 * Main thread only, except the optional cutting proxy's own thread, which shares only its
 * arm/cut state (under a mutex) with the main thread.
 */
#include "cups_fixture.h"

#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY_WAIT_MS 30000 /* hang guard for cupsd to answer */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void nap(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int cups_fx_sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    int rc = system(cmd);
    return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    chmod(path, 0644);
}

static void make_dir(const char *base, const char *sub, mode_t mode)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", base, sub);
    assert_true(mkdir(path, mode) == 0 || errno == EEXIST);
    chmod(path, mode); /* not the umask's */
}

static void write_configs(struct cups_fx *c)
{
    char buf[4096];
    snprintf(
        buf, sizeof buf,
        "Listen %s\nBrowsing Off\nBrowseLocalProtocols none\nDefaultAuthType None\n"
        "WebInterface No\nLogLevel debug\nAccessLogLevel all\nDirtyCleanInterval 0\nMaxJobs 0\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
        c->sock);
    write_file(c->base, "cupsd.conf", buf);

    const char *user = "lp", *group = "lp", *sysgroup = "root";
    if (getuid() != 0) { /* cupsd runs as whoever starts it */
        struct passwd *pw = getpwuid(getuid());
        struct group *gr = getgrgid(getgid());
        assert_non_null(pw);
        assert_non_null(gr);
        user = pw->pw_name;
        group = sysgroup = gr->gr_name;
    }
    snprintf(buf, sizeof buf,
             "FileDevice Yes\nServerRoot %1$s/root\nStateDir %1$s/state\nCacheDir %1$s/cache\n"
             "RequestRoot %1$s/spool\nTempDir %1$s/tmp\nErrorLog %1$s/log/error_log\n"
             "AccessLog %1$s/log/access_log\nPageLog %1$s/log/page_log\nPrintcap\n"
             "ServerBin %1$s/sb\nDataDir /usr/share/cups\nUser %2$s\nGroup %3$s\n"
             "SystemGroup %4$s\n",
             c->base, user, group, sysgroup);
    write_file(c->base, "cups-files.conf", buf);
}

/* A unix socket address for path; false if path does not fit (it would name another file). */
static bool sun_path(struct sockaddr_un *sa, const char *path)
{
    size_t n = strlen(path);
    if (n >= sizeof sa->sun_path)
        return false;
    memcpy(sa->sun_path, path, n + 1);
    return true;
}

static bool socket_answers(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!sun_path(&sa, path))
        return false;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

void cups_fx_start(struct cups_fx *c)
{
    assert_int_equal(c->pid, 0);
    double t0 = now_ms();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char exe[512], conf[512], files[512], log[512];
        snprintf(exe, sizeof exe, "%s/cupsd", c->base);
        snprintf(conf, sizeof conf, "%s/cupsd.conf", c->base);
        snprintf(files, sizeof files, "%s/cups-files.conf", c->base);
        snprintf(log, sizeof log, "%s/log/cupsd.out", c->base);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* a test killed by its time limit takes cupsd along */
        execl(exe, "cupsd", "-f", "-c", conf, "-s", files, (char *)NULL);
        _exit(127);
    }
    c->pid = pid;
    while (!socket_answers(c->sock)) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            c->pid = 0;
            cups_fx_sh("cat %s/log/cupsd.out %s/log/error_log >&2", c->base, c->base);
            fail_msg("cupsd exited at start (status %d)", status);
        }
        assert_true(now_ms() - t0 < READY_WAIT_MS);
        nap(5);
    }
    c->start_ms = now_ms() - t0;
}

void cups_fx_kill(struct cups_fx *c)
{
    if (c->pid <= 0)
        return;
    kill(c->pid, SIGTERM);
    int status;
    double t0 = now_ms();
    while (waitpid(c->pid, &status, WNOHANG) == 0) {
        if (now_ms() - t0 > READY_WAIT_MS)
            kill(c->pid, SIGKILL);
        nap(5);
    }
    c->pid = 0;
}

void cups_fx_setup(struct cups_fx *c)
{
    if (access("/usr/sbin/cupsd", X_OK) != 0 || access("/usr/sbin/lpadmin", X_OK) != 0)
        bm_test_skip_or_fail("cupsd and lpadmin (cups-daemon, cups-client)");
    memset(c, 0, sizeof *c);
    snprintf(c->base, sizeof c->base, "/tmp/bm-cups-XXXXXX");
    assert_non_null(mkdtemp(c->base));
    chmod(c->base, 0755); /* lp walks through it */
    snprintf(c->sock, sizeof c->sock, "%s/cups.sock", c->base);
    snprintf(c->out, sizeof c->out, "%s/out", c->base);
    const char *dirs[] = {"root", "state", "cache", "spool", "tmp", "log", "sb", "sb/backend"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        make_dir(c->base, dirs[i], 0755);
    make_dir(c->base, "out", 0777); /* the backend runs as lp */
    assert_int_equal(cups_fx_sh("cp /usr/sbin/cupsd %1$s/cupsd && "
                                "ln -s /usr/lib/cups/daemon %1$s/sb/daemon && "
                                "ln -s /usr/lib/cups/filter %1$s/sb/filter && "
                                "ln -s /usr/lib/cups/notifier %1$s/sb/notifier && "
                                "cp '%2$s' %1$s/sb/backend/fake && "
                                "chmod 0755 %1$s/sb/backend/fake",
                                c->base,
                                bm_test_source_path("tests/integration/fake_cups_backend")),
                     0);
    write_configs(c);
    setenv("CUPS_SERVER", c->sock, 1);
    cups_fx_start(c);
    /* A raw queue: the backend gets the PDF as sent. lpadmin warns that raw is deprecated. */
    assert_int_equal(
        cups_fx_sh("lpadmin -p %s -E -v fake:%s -m raw 2>/dev/null", CUPS_FX_QUEUE, c->out), 0);
}

static void proxy_stop(struct cups_fx *c);

void cups_fx_teardown(struct cups_fx *c)
{
    proxy_stop(c);
    cups_fx_kill(c);
    if (getenv("BM_CUPS_KEEP")) /* for a post mortem: the tree with cupsd's logs stays */
        fprintf(stderr, "cups fixture kept: %s\n", c->base);
    else if (c->base[0] && strncmp(c->base, "/tmp/bm-cups-", 13) == 0)
        cups_fx_sh("rm -rf '%s'", c->base);
    c->base[0] = '\0';
}

void cups_fx_flag(struct cups_fx *c, const char *name, bool on)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", c->out, name);
    if (on) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
    } else {
        unlink(path);
    }
}

char *cups_fx_job(struct cups_fx *c, int id, const char *ext, size_t *len, unsigned wait_ms)
{
    char path[512];
    snprintf(path, sizeof path, "%s/job-%d.%s", c->out, id, ext);
    double t0 = now_ms();
    for (;;) {
        char *data = bm_test_read_file(path, len);
        if (data || now_ms() - t0 >= wait_ms)
            return data;
        nap(10);
    }
}

int cups_fx_job_count(struct cups_fx *c)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c '^job-.*\\.pdf$'", c->out);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int n = 0;
    if (fscanf(p, "%d", &n) != 1)
        n = 0;
    pclose(p);
    return n;
}

bool cups_fx_queue_empty(unsigned wait_ms)
{
    double t0 = now_ms();
    for (;;) {
        FILE *p = popen("lpstat -o " CUPS_FX_QUEUE " 2>/dev/null", "r");
        assert_non_null(p);
        char line[256];
        bool empty = !fgets(line, sizeof line, p);
        pclose(p);
        if (empty)
            return true;
        if (now_ms() - t0 >= wait_ms)
            return false;
        nap(20);
    }
}

bool cups_fx_started(struct cups_fx *c, int id, unsigned wait_ms)
{
    char path[512];
    snprintf(path, sizeof path, "%s/started-%d", c->out, id);
    for (double t0 = now_ms();; nap(10)) {
        if (access(path, F_OK) == 0)
            return true;
        if (now_ms() - t0 >= wait_ms)
            return false;
    }
}

char *cups_fx_job_text(int id, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *p = popen("lpstat -l -W all -o " CUPS_FX_QUEUE " 2>/dev/null", "r");
    assert_non_null(p);
    char head[64], line[512];
    snprintf(head, sizeof head, "%s-%d ", CUPS_FX_QUEUE, id);
    size_t len = 0;
    bool in = false;
    while (fgets(line, sizeof line, p)) {
        if (line[0] != ' ' && line[0] != '\t') /* a job's first line */
            in = strncmp(line, head, strlen(head)) == 0;
        if (in && len + 1 < size) {
            snprintf(buf + len, size - len, "%s", line);
            len += strlen(buf + len);
        }
    }
    pclose(p);
    return buf;
}

bool cups_fx_job_shows(int id, const char *what, unsigned wait_ms)
{
    char text[2048];
    for (double t0 = now_ms();; nap(20)) {
        if (strstr(cups_fx_job_text(id, text, sizeof text), what))
            return true;
        if (now_ms() - t0 >= wait_ms) {
            print_message("job %d: wanted \"%s\" in:\n%s\n", id, what, text);
            return false;
        }
    }
}

bool cups_fx_log_has(struct cups_fx *c, const char *log, const char *what, unsigned wait_ms)
{
    char path[512];
    snprintf(path, sizeof path, "%s/log/%s", c->base, log);
    for (double t0 = now_ms();; nap(10)) {
        size_t len = 0;
        char *text = bm_test_read_file(path, &len);
        bool found = text && strstr(text, what);
        free(text);
        if (found)
            return true;
        if (now_ms() - t0 >= wait_ms)
            return false;
    }
}

/* A PPD for a duplex printer that takes PDF as it is ("-": no filter, so the backend still gets
 * the very bytes sent; no cups-filters needed): cupsd then lists two-sided in sides-supported
 * and passes sides=... (and Duplex=...) to the backend. */
static const char duplex_ppd[] =
    "*PPD-Adobe: \"4.3\"\n*FormatVersion: \"4.3\"\n*FileVersion: \"1.0\"\n"
    "*LanguageVersion: English\n*LanguageEncoding: ISOLatin1\n*PCFileName: \"BMTEST.PPD\"\n"
    "*Manufacturer: \"bianmin\"\n*Product: \"(bianmin test duplex printer)\"\n"
    "*ModelName: \"bianmin test duplex printer\"\n*ShortNickName: \"bianmin test duplex\"\n"
    "*NickName: \"bianmin test duplex printer\"\n*PSVersion: \"(3010.000) 0\"\n"
    "*LanguageLevel: \"3\"\n*ColorDevice: False\n*DefaultColorSpace: Gray\n"
    "*FileSystem: False\n*Throughput: \"1\"\n*TTRasterizer: Type42\n*cupsVersion: 2.4\n"
    "*cupsFilter2: \"application/pdf application/pdf 0 -\"\n"
    "*OpenUI *PageSize/Media Size: PickOne\n*OrderDependency: 10 AnySetup *PageSize\n"
    "*DefaultPageSize: A4\n*PageSize A4/A4: \"<</PageSize[595 842]>>setpagedevice\"\n"
    "*CloseUI: *PageSize\n*OpenUI *PageRegion: PickOne\n"
    "*OrderDependency: 10 AnySetup *PageRegion\n*DefaultPageRegion: A4\n"
    "*PageRegion A4/A4: \"<</PageSize[595 842]>>setpagedevice\"\n*CloseUI: *PageRegion\n"
    "*DefaultImageableArea: A4\n*ImageableArea A4/A4: \"18 18 577 824\"\n"
    "*DefaultPaperDimension: A4\n*PaperDimension A4/A4: \"595 842\"\n"
    "*OpenUI *Duplex/2-Sided Printing: PickOne\n*OrderDependency: 10 AnySetup *Duplex\n"
    "*DefaultDuplex: None\n*Duplex None/Off: \"<</Duplex false>>setpagedevice\"\n"
    "*Duplex DuplexNoTumble/Long Edge: \"<</Duplex true/Tumble false>>setpagedevice\"\n"
    "*Duplex DuplexTumble/Short Edge: \"<</Duplex true/Tumble true>>setpagedevice\"\n"
    "*CloseUI: *Duplex\n";

void cups_fx_duplex_queue(struct cups_fx *c)
{
    write_file(c->base, "duplex.ppd", duplex_ppd);
    /* lpadmin warns that printer drivers (PPDs) are deprecated */
    assert_int_equal(
        cups_fx_sh("lpadmin -p %s -P %s/duplex.ppd 2>/dev/null", CUPS_FX_QUEUE, c->base), 0);
}

/* ---- the cutting proxy ---- */

#define PROXY_PAIRS     16
#define SEND_DOC_CUT_AT (100 * 1024)

struct proxy_pair {
    int client, server; /* -1: free */
    char tail[16];      /* the last bytes from the client, for a match across reads */
    size_t tail_len;
    bool doomed; /* sent a Create-Job while armed: cut instead of passing the reply */
};

struct cups_fx_proxy {
    pthread_t thread;
    int listen_fd, wake[2];
    char target[300];
    pthread_mutex_t lock;
    enum cups_fx_cut armed; /* guarded by lock */
    int cuts;               /* guarded by lock */
    size_t sent;            /* client -> cupsd bytes since armed; guarded by lock */
    bool stop;              /* guarded by lock */
    struct proxy_pair pairs[PROXY_PAIRS];
};

static int unix_connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!sun_path(&sa, path))
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static int unix_listen(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!sun_path(&sa, path))
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void pair_close(struct proxy_pair *pp)
{
    if (pp->client >= 0)
        close(pp->client);
    if (pp->server >= 0)
        close(pp->server);
    memset(pp, 0, sizeof *pp);
    pp->client = pp->server = -1;
}

static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* Client bytes: a Create-Job (the only request with job-name) dooms the pair while armed. */
static void client_bytes(struct cups_fx_proxy *px, struct proxy_pair *pp, const char *buf, size_t n,
                         bool *cut)
{
    char scan[16 + 4096 + 1];
    memcpy(scan, pp->tail, pp->tail_len);
    memcpy(scan + pp->tail_len, buf, n);
    size_t len = pp->tail_len + n;
    pthread_mutex_lock(&px->lock);
    if (px->armed == CUPS_FX_CUT_CREATE_JOB_REPLY && memmem(scan, len, "job-name", 8)) {
        pp->doomed = true;
        px->armed = CUPS_FX_CUT_NONE;
    }
    if (px->armed == CUPS_FX_CUT_SEND_DOCUMENT) {
        px->sent += n;
        if (px->sent >= SEND_DOC_CUT_AT) {
            *cut = true;
            px->armed = CUPS_FX_CUT_NONE;
            px->cuts++;
        }
    }
    pthread_mutex_unlock(&px->lock);
    size_t keep = len < sizeof pp->tail ? len : sizeof pp->tail;
    memcpy(pp->tail, scan + len - keep, keep);
    pp->tail_len = keep;
}

static void *proxy_main(void *arg)
{
    struct cups_fx_proxy *px = arg;
    char buf[4096];
    for (;;) {
        struct pollfd fds[2 + 2 * PROXY_PAIRS];
        int nfds = 0;
        fds[nfds++] = (struct pollfd){.fd = px->wake[0], .events = POLLIN};
        fds[nfds++] = (struct pollfd){.fd = px->listen_fd, .events = POLLIN};
        for (int i = 0; i < PROXY_PAIRS; i++) {
            fds[nfds++] = (struct pollfd){.fd = px->pairs[i].client, .events = POLLIN};
            fds[nfds++] = (struct pollfd){.fd = px->pairs[i].server, .events = POLLIN};
        }
        if (poll(fds, (nfds_t)nfds, -1) < 0 && errno != EINTR)
            break;
        pthread_mutex_lock(&px->lock);
        bool stop = px->stop;
        pthread_mutex_unlock(&px->lock);
        if (stop)
            break;
        if (fds[1].revents & POLLIN) {
            int cl = accept4(px->listen_fd, NULL, NULL, SOCK_CLOEXEC);
            int sv = cl >= 0 ? unix_connect(px->target) : -1;
            int slot = -1;
            for (int i = 0; i < PROXY_PAIRS && slot < 0; i++)
                if (px->pairs[i].client < 0)
                    slot = i;
            if (cl >= 0 && (sv < 0 || slot < 0)) { /* cupsd down: the client sees it so */
                close(cl);
                if (sv >= 0)
                    close(sv);
            } else if (cl >= 0) {
                px->pairs[slot].client = cl;
                px->pairs[slot].server = sv;
            }
        }
        for (int i = 0; i < PROXY_PAIRS; i++) {
            struct proxy_pair *pp = &px->pairs[i];
            const struct pollfd *cf = &fds[2 + 2 * i], *sf = &fds[3 + 2 * i];
            if (pp->client >= 0 && (cf->revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t n = read(pp->client, buf, sizeof buf);
                bool cut = false;
                if (n > 0)
                    client_bytes(px, pp, buf, (size_t)n, &cut);
                if (n <= 0 || cut || !write_all(pp->server, buf, (size_t)n)) {
                    pair_close(pp);
                    continue;
                }
            }
            if (pp->server >= 0 && (sf->revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t n = read(pp->server, buf, sizeof buf);
                if (n > 0 && pp->doomed) { /* cupsd's reply to the Create-Job: lost */
                    pthread_mutex_lock(&px->lock);
                    px->cuts++;
                    pthread_mutex_unlock(&px->lock);
                    pair_close(pp);
                } else if (n <= 0 || !write_all(pp->client, buf, (size_t)n)) {
                    pair_close(pp);
                }
            }
        }
    }
    for (int i = 0; i < PROXY_PAIRS; i++)
        pair_close(&px->pairs[i]);
    return NULL;
}

void cups_fx_proxy_start(struct cups_fx *c)
{
    assert_null(c->proxy);
    struct cups_fx_proxy *px = calloc(1, sizeof *px);
    assert_non_null(px);
    for (int i = 0; i < PROXY_PAIRS; i++)
        px->pairs[i].client = px->pairs[i].server = -1;
    snprintf(px->target, sizeof px->target, "%s", c->sock);
    snprintf(c->proxy_sock, sizeof c->proxy_sock, "%s/proxy.sock", c->base);
    px->listen_fd = unix_listen(c->proxy_sock);
    assert_true(px->listen_fd >= 0);
    assert_int_equal(pipe2(px->wake, O_CLOEXEC), 0);
    pthread_mutex_init(&px->lock, NULL);
    assert_int_equal(pthread_create(&px->thread, NULL, proxy_main, px), 0);
    c->proxy = px;
}

void cups_fx_proxy_arm(struct cups_fx *c, enum cups_fx_cut cut)
{
    assert_non_null(c->proxy);
    pthread_mutex_lock(&c->proxy->lock);
    c->proxy->armed = cut;
    c->proxy->sent = 0;
    pthread_mutex_unlock(&c->proxy->lock);
}

int cups_fx_proxy_cuts(struct cups_fx *c)
{
    assert_non_null(c->proxy);
    pthread_mutex_lock(&c->proxy->lock);
    int n = c->proxy->cuts;
    pthread_mutex_unlock(&c->proxy->lock);
    return n;
}

static void proxy_stop(struct cups_fx *c)
{
    struct cups_fx_proxy *px = c->proxy;
    if (!px)
        return;
    pthread_mutex_lock(&px->lock);
    px->stop = true;
    pthread_mutex_unlock(&px->lock);
    if (write(px->wake[1], "x", 1) != 1)
        fprintf(stderr, "cups fixture: cannot wake the proxy\n");
    pthread_join(px->thread, NULL);
    close(px->listen_fd);
    close(px->wake[0]);
    close(px->wake[1]);
    pthread_mutex_destroy(&px->lock);
    free(px);
    c->proxy = NULL;
}
