// soakgen: the load of scripts/memory-soak.sh (docs/PERFORMANCE.md, "Memory soak").
//
//   soakgen PORT SENSORS SECONDS [PREFIX]
//
// Publishes one reading per sensor per second for SECONDS seconds to 127.0.0.1:PORT, at QoS 1,
// to PREFIX/line<s%8>/s<s> (default prefix "soak"), paced evenly across each second. Each
// sensor is a random walk with noise around its own level, printed with three decimals, and
// carries its source time ({"ts":MS,"value":V}), so every sensor's detectors see a real signal
// at a 1 s cadence: windows fill and calibrators learn as they would on a plant tag.
// Prints "published N messages in S s (A acknowledged)" at the end, after every PUBACK or a
// minute's wait for them.
// Build: cc -O2 -o soakgen soakgen.c -lmosquitto
#include <mosquitto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile long acked = 0;
static void on_publish(struct mosquitto *m, void *obj, int mid) { (void)m; (void)obj; (void)mid; __atomic_add_fetch(&acked, 1, __ATOMIC_SEQ_CST); }

static uint64_t splitmix(uint64_t *s) {
    uint64_t x = (*s += 0x9E3779B97F4A7C15ULL);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}
static double unit(uint64_t *s) { return (splitmix(s) >> 11) * (1.0 / 9007199254740992.0); }
static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}
static long long wall_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: soakgen PORT SENSORS SECONDS [PREFIX]\n"); return 2; }
    int port = atoi(argv[1]);
    long sensors = atol(argv[2]), seconds = atol(argv[3]);
    const char *prefix = argc > 4 ? argv[4] : "soak";
    if (sensors < 1 || seconds < 1) { fprintf(stderr, "soakgen: SENSORS and SECONDS must be positive\n"); return 2; }
    double *level = malloc(sizeof(double) * sensors);
    uint64_t seed = 1;
    for (long s = 0; s < sensors; s++) level[s] = 10 + 90 * unit(&seed);

    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new("soakgen", true, NULL);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_max_inflight_messages_set(m, 1000);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    if (mosquitto_connect(m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "soakgen: connect failed\n"); return 1; }
    mosquitto_loop_start(m);

    double start = now_s();
    long published = 0;
    char topic[128], payload[96];
    for (long step = 0; step < seconds; step++) {
        long long ts = wall_ms();
        for (long s = 0; s < sensors; s++) {
            // Pace: message k of this second goes out at start + step + k / sensors.
            double due = start + step + (double)s / sensors;
            double wait = due - now_s();
            if (wait > 0.0005) usleep((useconds_t)(wait * 1e6));
            level[s] += unit(&seed) - 0.5;
            double v = level[s] + 0.2 * (unit(&seed) - 0.5);
            snprintf(topic, sizeof topic, "%s/line%ld/s%ld", prefix, s % 8, s);
            int pl = snprintf(payload, sizeof payload, "{\"ts\":%lld,\"value\":%.3f}", ts, v);
            while (mosquitto_publish(m, NULL, topic, pl, payload, 1, false) == MOSQ_ERR_NOMEM) usleep(1000);
            published++;
        }
    }
    double sent = now_s() - start;
    // The acknowledgements follow unless the broker is swamped; a minute bounds the wait.
    for (int i = 0; i < 60000 && __atomic_load_n(&acked, __ATOMIC_SEQ_CST) < published; i++) usleep(1000);
    printf("published %ld messages in %.1f s (%ld acknowledged)\n", published, sent, (long)acked);
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return 0;
}
