#ifndef TINSENSE_CMOSQUITTO_SHIM_H
#define TINSENSE_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#endif
