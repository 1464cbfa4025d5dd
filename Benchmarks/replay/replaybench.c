// replaybench: the C side of scripts/replay-benchmark.sh (docs/REPLAY.md, "Benchmark").
//
//   replaybench write DIR COUNT SENSORS GAP_MS JITTER_MS SEED   a recording (docs/FORMAT.md) of COUNT messages
//   replaybench pub PORT DIR                                    publish DIR's messages at QoS 1 as fast as the
//                                                              broker acknowledges; prints "messages seconds"
//   replaybench sub PORT FILTER COUNT                           prints each arrival (CLOCK_MONOTONIC ns)
//   replaybench gaps DIR                                        prints each recorded receive time (ms)
//
// `pub` is the plain libmosquitto publisher tinsense's `replay --speed max` is compared with:
// the same messages, the same broker, one connection, QoS 1, an in-flight window of 1000.
// Build: gcc -O2 -o replaybench replaybench.c -lmosquitto
#include <mosquitto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint32_t crc_table[256];
static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[i] = c;
    }
}
static uint32_t crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--) c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
static uint64_t splitmix(uint64_t *s) {
    uint64_t x = (*s += 0x9E3779B97F4A7C15ULL);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}
static int64_t mono_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}
static void le(uint8_t *p, uint64_t v, int n) { for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint64_t rd(const uint8_t *p, int n) { uint64_t v = 0; for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i]; return v; }

typedef struct { char topic[96]; char payload[96]; int64_t ms; int retained; } msg;

// Reads every kind 2 record of DIR/wal/00000001.wal (what `write` produces).
static msg *read_recording(const char *dir, long *count) {
    char path[4096];
    snprintf(path, sizeof path, "%s/wal/00000001.wal", dir);
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(size);
    if (fread(buf, 1, size, f) != (size_t)size) { perror("read"); exit(1); }
    fclose(f);
    long cap = 1024, n = 0;
    msg *out = malloc(cap * sizeof(msg));
    for (long off = 8; off + 8 <= size;) {
        uint32_t len = (uint32_t)rd(buf + off, 4);
        const uint8_t *b = buf + off + 8;
        if (off + 8 + len > size || b[0] != 2) break;
        if (n == cap) { cap *= 2; out = realloc(out, cap * sizeof(msg)); }
        uint16_t tl = (uint16_t)rd(b + 21, 2);
        uint32_t pl = len - 23 - tl;
        msg *m = &out[n++];
        m->ms = (int64_t)rd(b + 1, 8);
        m->retained = b[10] & 1;
        memcpy(m->topic, b + 23, tl < 95 ? tl : 95); m->topic[tl < 95 ? tl : 95] = 0;
        memcpy(m->payload, b + 23 + tl, pl < 95 ? pl : 95); m->payload[pl < 95 ? pl : 95] = 0;
        off += 8 + len;
    }
    free(buf);
    *count = n;
    return out;
}

static int do_write(int argc, char **argv) {
    if (argc < 8) return 2;
    const char *dir = argv[2];
    long count = atol(argv[3]), sensors = atol(argv[4]);
    double gap = atof(argv[5]), jitter = atof(argv[6]);
    uint64_t seed = strtoull(argv[7], NULL, 10);
    char path[4096];
    snprintf(path, sizeof path, "%s/wal", dir);
    mkdir(dir, 0755); mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/wal/00000001.wal", dir);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); return 1; }
    static const uint8_t magic[8] = {'T', 'S', 'W', 'A', 'L', 0, 0, 2};
    fwrite(magic, 1, 8, f);
    double *level = calloc(sensors, sizeof(double));
    for (long s = 0; s < sensors; s++) level[s] = 50 + (double)(splitmix(&seed) % 1000) / 100;
    int64_t t = 1767225600000LL;  // 2026-01-01T00:00:00Z
    double frac = 0;
    uint8_t rec[512];
    for (long k = 0; k < count; k++) {
        long s = k % sensors;
        double step = gap + (jitter > 0 ? ((double)(splitmix(&seed) % 2001) / 1000.0 - 1.0) * jitter : 0);
        frac += step < 0 ? 0 : step;
        t += (int64_t)frac; frac -= (int64_t)frac;
        level[s] += ((double)(splitmix(&seed) % 2001) / 1000.0 - 1.0) * 0.3;
        char topic[96], payload[96];
        int tl = snprintf(topic, sizeof topic, "bench/line%ld/s%ld", s % 5, s);
        int pl = snprintf(payload, sizeof payload, "{\"ts\":%lld,\"value\":%.2f}", (long long)t, level[s]);
        uint32_t body = 23 + tl + pl;
        uint8_t *b = rec + 8;
        b[0] = 2; le(b + 1, (uint64_t)t, 8); b[9] = 1; b[10] = 0;
        le(b + 11, (uint64_t)(k % 65535 + 1), 2); le(b + 13, 1, 4); le(b + 17, (uint64_t)pl, 4); le(b + 21, (uint64_t)tl, 2);
        memcpy(b + 23, topic, tl); memcpy(b + 23 + tl, payload, pl);
        le(rec, body, 4); le(rec + 4, crc32c(b, body), 4);
        fwrite(rec, 1, 8 + body, f);
    }
    fclose(f);
    return 0;
}

static volatile long acked = 0;
static void on_publish(struct mosquitto *m, void *o, int mid) { (void)m; (void)o; (void)mid; __atomic_add_fetch(&acked, 1, __ATOMIC_SEQ_CST); }

static int do_pub(int argc, char **argv) {
    if (argc < 4) return 2;
    long n;
    msg *msgs = read_recording(argv[3], &n);
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(NULL, true, NULL);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, 100);
    if (mosquitto_connect(m, "127.0.0.1", atoi(argv[2]), 30) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "cannot connect\n"); return 1; }
    mosquitto_loop_start(m);
    int64_t t0 = mono_ns();
    for (long k = 0; k < n; k++) {
        // The same bounded window as MQTTPublisher: at most 1000 unacknowledged.
        while (k - __atomic_load_n(&acked, __ATOMIC_SEQ_CST) >= 1000) usleep(100);
        mosquitto_publish(m, NULL, msgs[k].topic, (int)strlen(msgs[k].payload), msgs[k].payload, 1, msgs[k].retained);
    }
    while (__atomic_load_n(&acked, __ATOMIC_SEQ_CST) < n) usleep(100);
    double s = (mono_ns() - t0) / 1e9;
    printf("%ld %.3f\n", n, s);
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    return 0;
}

static long expected = 0, seen = 0;
static void on_message(struct mosquitto *m, void *o, const struct mosquitto_message *msg) {
    (void)m; (void)o; (void)msg;
    printf("%lld\n", (long long)mono_ns());
    if (++seen >= expected) { fflush(stdout); exit(0); }
}

static int do_sub(int argc, char **argv) {
    if (argc < 5) return 2;
    expected = atol(argv[4]);
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(NULL, true, NULL);
    mosquitto_message_callback_set(m, on_message);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    if (mosquitto_connect(m, "127.0.0.1", atoi(argv[2]), 30) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "cannot connect\n"); return 1; }
    mosquitto_subscribe(m, NULL, argv[3], 0);
    fprintf(stderr, "subscribed\n");
    mosquitto_loop_forever(m, -1, 1);
    return 0;
}

static int do_gaps(int argc, char **argv) {
    if (argc < 3) return 2;
    long n;
    msg *msgs = read_recording(argv[2], &n);
    for (long k = 0; k < n; k++) printf("%lld\n", (long long)msgs[k].ms);
    return 0;
}

int main(int argc, char **argv) {
    crc_init();
    int rc = 2;
    if (argc > 1 && strcmp(argv[1], "write") == 0) rc = do_write(argc, argv);
    else if (argc > 1 && strcmp(argv[1], "pub") == 0) rc = do_pub(argc, argv);
    else if (argc > 1 && strcmp(argv[1], "sub") == 0) rc = do_sub(argc, argv);
    else if (argc > 1 && strcmp(argv[1], "gaps") == 0) rc = do_gaps(argc, argv);
    if (rc == 2) fprintf(stderr, "usage: see the head of replaybench.c\n");
    return rc;
}
