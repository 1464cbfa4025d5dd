// e2ebench: the C side of scripts/e2e-benchmark.sh and scripts/latency-benchmark.sh
// (docs/PERFORMANCE.md, "End to end against C (issue 13)").
//
//   e2ebench gen PORT N SENSORS QOS PREFIX [RATE [FAULTS WARMUP_S GAP_S STEP FAULTLOG]]
//       publishes N JSON readings {"ts":MS,"value":V} round-robin over SENSORS topics
//       PREFIX/line<s%8>/s<s> to 127.0.0.1:PORT at QOS (0 or 1). RATE 0 (default) = as fast as
//       the socket takes them (at QoS 1 with at most 1000 unacknowledged); RATE > 0 = paced at
//       RATE msg/s on absolute monotonic deadlines. With FAULTS > 0 (latency mode), sensor j
//       (j < FAULTS) gets a step of +STEP from WARMUP_S + j * GAP_S seconds on, and the publish
//       time (CLOCK_MONOTONIC ns) of its first faulted message goes to FAULTLOG as
//       "line<L>/s<S> NS". Each sensor is a stationary noise around its own level (std ≈ 0.58),
//       so the default detectors stay quiet until the step. Timestamps: throughput mode gives
//       each sensor a 100 ms cadence ending about 10 s before now (a fixed, in-order stream);
//       latency mode stamps the wall clock at publish. Payloads are built before the clock
//       starts (throughput mode), so the generator spends its time in libmosquitto and write(2).
//       Prints one line: published, acked, first_ns/last_ns (monotonic), seconds, msg_s, cpu_s.
//   e2ebench sub PORT PREFIX N QOS MODE OUTFILE TIMEOUT_S
//       subscribes to PREFIX/# at QOS (TCP_NODELAY on) and exits after N messages or TIMEOUT_S.
//       MODE count: counts only. MODE store: strtod of the value (strtoll of ts) and a 24-byte
//       binary record (FNV-1a hash of the topic, ts, value) appended to OUTFILE through a 64 KiB
//       stdio buffer. Prints received, first_ns/last_ns, msg_s (first receive to last), cpu_s,
//       hwm_kb (VmHWM). "subscribed" goes to stderr once the SUBACK is in.
//   e2ebench wait METRICS_PORT N PID TIMEOUT_S
//       polls http://127.0.0.1:METRICS_PORT/metrics every 5 ms until tinsense_readings_stored_total
//       >= N (or TIMEOUT_S); prints stored, done_ns (monotonic, the poll that saw N), cpu_s of PID
//       from its start of polling to done (/proc/PID/stat utime + stime), hwm_kb of PID, and
//       final (the counter 1 s later: more than N would be duplicates).
//   e2ebench alerts FILE TIMEOUT_S
//       follows the alert log FILE (inotify on its directory; the file may not exist yet) and
//       prints "SENSOR NS" (CLOCK_MONOTONIC ns when the line was read) for every "firing" line,
//       until TIMEOUT_S or SIGTERM. Prints "watching" to stderr once the watch is in place.
// Build: gcc -O2 -o e2ebench e2ebench.c -lmosquitto
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}
static long long wall_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
static double self_cpu_s(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}
static long status_kb(const char *pid, const char *key) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%s/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') { v = atol(line + kl + 1); break; }
    fclose(f);
    return v;
}
// utime + stime of PID in seconds (fields 14 and 15 of /proc/PID/stat, after the "(comm)").
static double proc_cpu_s(const char *pid) {
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long ut = 0, st = 0;
    // After ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
    return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}
static uint64_t splitmix(uint64_t *s) {
    uint64_t x = (*s += 0x9E3779B97F4A7C15ULL);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}
static double unit(uint64_t *s) { return (splitmix(s) >> 11) * (1.0 / 9007199254740992.0); }
// Sum of four uniforms minus 2: mean 0, std ≈ 0.577, bounded (no accidental outliers).
static double noise(uint64_t *s) { return unit(s) + unit(s) + unit(s) + unit(s) - 2.0; }

// ---------------------------------------------------------------------------------------- gen
static volatile long acked = 0;
static void on_publish(struct mosquitto *m, void *o, int mid) { (void)m; (void)o; (void)mid; acked++; }

static int do_gen(int argc, char **argv) {
    if (argc < 7) return 2;
    int port = atoi(argv[2]);
    long n = atol(argv[3]), sensors = atol(argv[4]);
    int qos = atoi(argv[5]);
    const char *prefix = argv[6];
    double rate = argc > 7 ? atof(argv[7]) : 0;
    long faults = argc > 12 ? atol(argv[8]) : 0;
    double warmup = faults ? atof(argv[9]) : 0, gap = faults ? atof(argv[10]) : 0, step = faults ? atof(argv[11]) : 0;
    FILE *faultlog = faults ? fopen(argv[12], "w") : NULL;
    if (n < 1 || sensors < 1 || (qos != 0 && qos != 1) || (faults && !faultlog)) { fprintf(stderr, "gen: bad arguments\n"); return 2; }

    char (*topics)[64] = malloc(sizeof(*topics) * sensors);
    double *level = malloc(sizeof(double) * sensors);
    uint64_t seed = 42;
    for (long s = 0; s < sensors; s++) {
        snprintf(topics[s], sizeof topics[s], "%s/line%ld/s%ld", prefix, s % 8, s);
        level[s] = 10 + 90 * unit(&seed);
    }
    // Throughput mode: every payload prepared up front.
    char *pay = NULL;
    uint32_t *off = NULL;
    if (rate <= 0) {
        size_t cap = (size_t)n * 48 + 64, used = 0;
        pay = malloc(cap);
        off = malloc(sizeof(uint32_t) * (n + 1));
        long long base = wall_ms() - 10000 - (long long)((n + sensors - 1) / sensors) * 100;
        for (long k = 0; k < n; k++) {
            long s = k % sensors, i = k / sensors;
            off[k] = (uint32_t)used;
            used += (size_t)snprintf(pay + used, cap - used, "{\"ts\":%lld,\"value\":%.3f}", base + i * 100LL, level[s] + noise(&seed));
            if (used > 0xFFFFFF00u) { fprintf(stderr, "gen: N too large for one buffer\n"); return 2; }
        }
        off[n] = (uint32_t)used;
    }

    mosquitto_lib_init();
    char id[64];
    snprintf(id, sizeof id, "e2egen-%d", (int)getpid());
    struct mosquitto *m = mosquitto_new(id, true, NULL);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_max_inflight_messages_set(m, 0);  // the window below bounds it
    if (mosquitto_connect(m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "gen: connect failed\n"); return 1; }
    for (int i = 0; i < 20; i++) mosquitto_loop(m, 10, 1);  // CONNACK
    const long window = 1000;
    char buf[96];
    long faulted = 0;
    int64_t t0 = mono_ns(), first = 0;
    double cpu0 = self_cpu_s();
    for (long k = 0; k < n; k++) {
        long s = k % sensors;
        int pl;
        if (rate > 0) {
            int64_t due = t0 + (int64_t)(k * (1e9 / rate));
            if (due > mono_ns()) {
                struct timespec d = {(time_t)(due / 1000000000LL), (long)(due % 1000000000LL)};
                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL);
            }
            while (qos == 1 && k - acked >= window) mosquitto_loop(m, 1, 1);
            double elapsed = (mono_ns() - t0) / 1e9;
            double v = level[s] + noise(&seed);
            int fault_now = 0;
            if (s < faults && elapsed >= warmup + s * gap) {
                v += step;
                if (s >= faulted) fault_now = 1;
            }
            pl = snprintf(buf, sizeof buf, "{\"ts\":%lld,\"value\":%.3f}", wall_ms(), v);
            // Stamped right before the hand-off to the socket.
            int64_t ts = mono_ns();
            if (!first) first = ts;
            mosquitto_publish(m, NULL, topics[s], pl, buf, qos, false);
            if (fault_now) {
                fprintf(faultlog, "line%ld/s%ld %lld\n", s % 8, s, (long long)ts);
                fflush(faultlog);
                faulted = s + 1;
            }
        } else {
            while (qos == 1 && k - acked >= window) mosquitto_loop(m, 1, 1);
            if (!first) first = mono_ns();
            mosquitto_publish(m, NULL, topics[s], (int)(off[k + 1] - off[k]), pay + off[k], qos, false);
        }
        // Back-pressure from the socket: what libmosquitto could not write waits here, not in
        // an unbounded queue. Every 64 messages the acknowledgements are read.
        while (mosquitto_want_write(m)) mosquitto_loop(m, 10, 1);
        if ((k & 63) == 63) mosquitto_loop(m, 0, 1);
    }
    int64_t last = mono_ns();
    while (qos == 1 && acked < n && mono_ns() - last < 60000000000LL) mosquitto_loop(m, 10, 1);
    double cpu = self_cpu_s() - cpu0;
    double secs = (last - first) / 1e9;
    printf("published=%ld acked=%ld first_ns=%lld last_ns=%lld seconds=%.3f msg_s=%.0f cpu_s=%.2f\n",
           n, qos ? (long)acked : n, (long long)first, (long long)last, secs, n / (secs > 0 ? secs : 1e-9), cpu);
    if (faultlog) fclose(faultlog);
    mosquitto_disconnect(m);
    mosquitto_loop(m, 10, 1);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return 0;
}

// ---------------------------------------------------------------------------------------- sub
static long expected = 0, seen = 0;
static int64_t first_ns = 0, last_ns = 0;
static int store_mode = 0, subscribed = 0;
static FILE *out = NULL;
static const char *find_value(const char *p, const char *end, const char *key, size_t kl) {
    for (; p + kl <= end; p++)
        if (*p == '"' && memcmp(p, key, kl) == 0) return p + kl;
    return NULL;
}
static void on_message(struct mosquitto *m, void *o, const struct mosquitto_message *msg) {
    (void)m; (void)o;
    int64_t now = mono_ns();
    if (!first_ns) first_ns = now;
    last_ns = now;
    if (store_mode) {
        // The payload is not NUL-terminated by contract: copy it (as a real consumer must).
        char buf[256];
        int len = msg->payloadlen < 255 ? msg->payloadlen : 255;
        memcpy(buf, msg->payload, len);
        buf[len] = 0;
        const char *end = buf + len;
        const char *t = find_value(buf, end, "\"ts\":", 5), *v = find_value(buf, end, "\"value\":", 8);
        struct { uint64_t h; int64_t ts; double v; } rec;
        rec.ts = t ? strtoll(t, NULL, 10) : 0;
        rec.v = v ? strtod(v, NULL) : 0;
        uint64_t h = 1469598103934665603ULL;
        for (const unsigned char *c = (const unsigned char *)msg->topic; *c; c++) h = (h ^ *c) * 1099511628211ULL;
        rec.h = h;
        fwrite(&rec, sizeof rec, 1, out);
    }
    seen++;
}
static void on_subscribe(struct mosquitto *m, void *o, int mid, int n, const int *q) {
    (void)m; (void)o; (void)mid; (void)n; (void)q;
    subscribed = 1;
    fprintf(stderr, "subscribed\n");
}

static int do_sub(int argc, char **argv) {
    if (argc < 9) return 2;
    int port = atoi(argv[2]);
    const char *prefix = argv[3];
    expected = atol(argv[4]);
    int qos = atoi(argv[5]);
    store_mode = strcmp(argv[6], "store") == 0;
    double timeout = atof(argv[8]);
    if (store_mode) {
        out = fopen(argv[7], "wb");
        if (!out) { perror(argv[7]); return 1; }
        setvbuf(out, NULL, _IOFBF, 65536);
    }
    mosquitto_lib_init();
    char id[64], filter[256];
    snprintf(id, sizeof id, "e2esub-%d", (int)getpid());
    snprintf(filter, sizeof filter, "%s/#", prefix);
    struct mosquitto *m = mosquitto_new(id, true, NULL);
    mosquitto_message_callback_set(m, on_message);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    if (mosquitto_connect(m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "sub: connect failed\n"); return 1; }
    mosquitto_subscribe(m, NULL, filter, qos);
    double cpu0 = self_cpu_s();
    int64_t deadline = mono_ns() + (int64_t)(timeout * 1e9);
    while (seen < expected && mono_ns() < deadline) {
        int rc = mosquitto_loop(m, 100, 1);
        if (rc != MOSQ_ERR_SUCCESS) { fprintf(stderr, "sub: loop: %s\n", mosquitto_strerror(rc)); break; }
    }
    // At QoS 1 the last PUBACK goes out with the next loop turn.
    for (int i = 0; i < 3; i++) mosquitto_loop(m, 1, 1);
    if (out) fclose(out);
    double cpu = self_cpu_s() - cpu0;
    double secs = (last_ns - first_ns) / 1e9;
    printf("received=%ld first_ns=%lld last_ns=%lld seconds=%.3f msg_s=%.0f cpu_s=%.2f hwm_kb=%ld\n",
           seen, (long long)first_ns, (long long)last_ns, secs, seen / (secs > 0 ? secs : 1e-9), cpu, status_kb("self", "VmHWM"));
    mosquitto_disconnect(m);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return seen >= expected ? 0 : 1;
}

// ---------------------------------------------------------------------------------------- wait
// tinsense_readings_stored_total from one GET /metrics (the listener answers and closes); -1 on failure.
static long scrape(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    static const char req[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1)) { close(fd); return -1; }
    static char buf[1 << 17];
    size_t used = 0;
    for (ssize_t r; used < sizeof buf - 1 && (r = read(fd, buf + used, sizeof buf - 1 - used)) > 0;) used += (size_t)r;
    close(fd);
    buf[used] = 0;
    const char *p = strstr(buf, "\ntinsense_readings_stored_total ");
    return p ? atol(p + strlen("\ntinsense_readings_stored_total ")) : -1;
}

static int do_wait(int argc, char **argv) {
    if (argc < 6) return 2;
    int port = atoi(argv[2]);
    long n = atol(argv[3]);
    const char *pid = argv[4];
    double timeout = atof(argv[5]);
    double cpu0 = proc_cpu_s(pid);
    int64_t deadline = mono_ns() + (int64_t)(timeout * 1e9), done = 0;
    long stored = 0;
    while (mono_ns() < deadline) {
        long s = scrape(port);
        if (s >= 0) stored = s;
        if (stored >= n) { done = mono_ns(); break; }
        usleep(5000);
    }
    double cpu = proc_cpu_s(pid) - cpu0;
    long hwm = status_kb(pid, "VmHWM");
    usleep(1000000);
    long final = scrape(port);
    printf("stored=%ld done_ns=%lld cpu_s=%.2f hwm_kb=%ld final=%ld\n", stored, (long long)done, cpu, hwm, final);
    return done ? 0 : 1;
}

// ---------------------------------------------------------------------------------------- alerts
static volatile sig_atomic_t stop = 0;
static void on_term(int s) { (void)s; stop = 1; }

static int do_alerts(int argc, char **argv) {
    if (argc < 4) return 2;
    const char *file = argv[2];
    double timeout = atof(argv[3]);
    char dirbuf[4096], basebuf[4096];
    snprintf(dirbuf, sizeof dirbuf, "%s", file);
    snprintf(basebuf, sizeof basebuf, "%s", file);
    const char *dir = dirname(dirbuf), *base = basename(basebuf);
    signal(SIGTERM, on_term);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int in = inotify_init1(IN_NONBLOCK);
    if (in < 0 || inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) { perror("inotify"); return 1; }
    fprintf(stderr, "watching\n");
    int fd = -1;
    off_t pos = 0;
    static char line[1 << 16];
    size_t have = 0;
    int64_t deadline = mono_ns() + (int64_t)(timeout * 1e9);
    while (!stop && mono_ns() < deadline) {
        struct pollfd p = {in, POLLIN, 0};
        poll(&p, 1, 50);
        char ev[8192];
        while (read(in, ev, sizeof ev) > 0) {}
        if (fd < 0) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", dir, base);
            fd = open(path, O_RDONLY);
            if (fd < 0) continue;
        }
        for (;;) {
            ssize_t r = pread(fd, line + have, sizeof line - 1 - have, pos);
            if (r <= 0) break;
            int64_t now = mono_ns();
            pos += r;
            have += (size_t)r;
            char *start = line, *nl;
            while ((nl = memchr(start, '\n', line + have - start))) {
                *nl = 0;
                if (strstr(start, "\"state\":\"firing\"")) {
                    char *s = strstr(start, "\"sensor\":\"");
                    if (s) {
                        s += 10;
                        char *e = strchr(s, '"');
                        if (e) { *e = 0; printf("%s %lld\n", s, (long long)now); }
                    }
                }
                start = nl + 1;
            }
            have = (size_t)(line + have - start);
            memmove(line, start, have);
            if (have == sizeof line - 1) have = 0;  // a line this long is not an alert line
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    int rc = 2;
    if (argc > 1 && strcmp(argv[1], "gen") == 0) rc = do_gen(argc, argv);
    else if (argc > 1 && strcmp(argv[1], "sub") == 0) rc = do_sub(argc, argv);
    else if (argc > 1 && strcmp(argv[1], "wait") == 0) rc = do_wait(argc, argv);
    else if (argc > 1 && strcmp(argv[1], "alerts") == 0) rc = do_alerts(argc, argv);
    if (rc == 2) fprintf(stderr, "usage: see the head of e2ebench.c\n");
    return rc;
}
