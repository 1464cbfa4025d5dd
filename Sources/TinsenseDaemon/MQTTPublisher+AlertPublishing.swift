import TinsenseAlerts
import TinsenseMQTT

/// The daemon lends its MQTT publisher to the alert republisher (see `AlertPublishing` for
/// why the alerts module does not import TinsenseMQTT itself).
extension MQTTPublisher: AlertPublishing {}
