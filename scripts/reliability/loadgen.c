// loadgen: a steady, reproducible QoS 1 load for the reliability scripts (docs/RELIABILITY.md).
//
//   loadgen PORT SENSORS COUNT RATE SEED START_MS MODE EXPECTED_CSV [PREFIX]
//
// Publishes COUNT messages to 127.0.0.1:PORT at RATE messages/s, round-robin over SENSORS
// topics PREFIX/line<s%5>/s<s>. Message k goes to sensor k % SENSORS, step k / SENSORS; its
// value is "<k>.<ddd>" (ddd drawn from SEED with SplitMix64), so every value is unique and
// the stored set can be checked exactly. MODE "ts": {"ts":START_MS+step*1000,"value":V};
// MODE "bare": the bare number V (no timestamp: the daemon uses the receive time).
// Writes one line "sensor,step,value" per message to EXPECTED_CSV, and exits 0 only after the
// broker acknowledged every message (PUBACK), so the expected set is exactly what the broker took.
// Build: cc -O2 -o loadgen loadgen.c -lmosquitto
#include <mosquitto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile long acked = 0;

static void on_publish(struct mosquitto *m, void *obj, int mid) { (void)m; (void)obj; (void)mid; __atomic_add_fetch(&acked, 1, __ATOMIC_SEQ_CST); }

static uint64_t splitmix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 9) {
        fprintf(stderr, "usage: loadgen PORT SENSORS COUNT RATE SEED START_MS MODE EXPECTED_CSV [PREFIX]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long sensors = atol(argv[2]), count = atol(argv[3]);
    double rate = atof(argv[4]);
    uint64_t seed = strtoull(argv[5], NULL, 10);
    long long start = atoll(argv[6]);
    int bare = strcmp(argv[7], "bare") == 0;
    const char *prefix = argc > 9 ? argv[9] : "kl";
    FILE *expected = fopen(argv[8], "w");
    if (!expected) { perror(argv[8]); return 1; }

    mosquitto_lib_init();
    char id[64];
    snprintf(id, sizeof id, "loadgen-%d", (int)getpid());
    struct mosquitto *m = mosquitto_new(id, true, NULL);
    mosquitto_publish_callback_set(m, on_publish);
    // The daemon may be down (that is the point): the broker must take our messages anyway.
    mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, 1000);
    mosquitto_reconnect_delay_set(m, 1, 2, false);
    if (mosquitto_connect(m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "cannot connect\n"); return 1; }
    mosquitto_loop_start(m);

    double t0 = now_s();
    char topic[128], payload[128], value[48];
    for (long k = 0; k < count; k++) {
        double due = t0 + k / rate;
        double wait = due - now_s();
        if (wait > 0) usleep((useconds_t)(wait * 1e6));
        long s = k % sensors, step = k / sensors;
        snprintf(topic, sizeof topic, "%s/line%ld/s%ld", prefix, s % 5, s);
        snprintf(value, sizeof value, "%ld.%03llu", k, (unsigned long long)(splitmix(seed ^ (uint64_t)k) % 1000));
        if (bare) snprintf(payload, sizeof payload, "%s", value);
        else snprintf(payload, sizeof payload, "{\"ts\":%lld,\"value\":%s}", start + step * 1000LL, value);
        int rc;
        while ((rc = mosquitto_publish(m, NULL, topic, (int)strlen(payload), payload, 1, false)) != MOSQ_ERR_SUCCESS) {
            if (rc != MOSQ_ERR_NO_CONN && rc != MOSQ_ERR_OVERSIZE_PACKET && rc != MOSQ_ERR_CONN_LOST) { fprintf(stderr, "publish: %s\n", mosquitto_strerror(rc)); }
            usleep(10000);
        }
        fprintf(expected, "line%ld/s%ld,%ld,%s\n", s % 5, s, step, value);
    }
    fflush(expected);
    // Wait (up to 120 s) until the broker has acknowledged everything.
    for (int i = 0; i < 12000 && __atomic_load_n(&acked, __ATOMIC_SEQ_CST) < count; i++) usleep(10000);
    long done = __atomic_load_n(&acked, __ATOMIC_SEQ_CST);
    double took = now_s() - t0;
    printf("published %ld messages, %ld acknowledged, in %.1f s (%.0f msg/s)\n", count, done, took, count / took);
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    fclose(expected);
    // More acknowledgements than messages: a publish retried while the broker was away had
    // been queued after all; the daemon refuses the second copy as a duplicate.
    return done >= count ? 0 : 1;
}
