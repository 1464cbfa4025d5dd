#ifndef TINSENSE_CMOSQUITTO_SHIM_H
#define TINSENSE_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
/* MQTT 5 property identifiers and reason codes (MQTT_PROP_SESSION_EXPIRY_INTERVAL, MQTT_RC_*). */
#include <mqtt_protocol.h>
#include <sys/ioctl.h>

/* Bytes received on `fd` and not read yet (FIONREAD), 0 when unknown. A C helper because
   Swift does not import variadic functions such as ioctl(2). */
static inline int tinsense_unread_bytes(int fd) {
    int n = 0;
    if (fd < 0 || ioctl(fd, FIONREAD, &n) != 0) return 0;
    return n;
}
#endif
