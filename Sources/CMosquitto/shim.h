#ifndef TINSENSE_CMOSQUITTO_SHIM_H
#define TINSENSE_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
/* MQTT 5 property identifiers and reason codes (MQTT_PROP_SESSION_EXPIRY_INTERVAL, MQTT_RC_*). */
#include <mqtt_protocol.h>
#endif
