import TinsenseCore

/// The alert state machine for every (sensor, rule) key of a daemon: scores and events in,
/// `AlertTransition`s out. Pure — no clock, no I/O — so replays reproduce alerts exactly.
///
/// Per key: *inactive* → *pending* when the score reaches the rule's threshold → *firing*
/// once it has stayed at or above the resolve threshold for `pendingFor` (or at once when the
/// score reaches the rule's `immediateThreshold`) → *resolved* (back to
/// inactive) once it has stayed below the resolve threshold for `keepFiringFor`. At most one
/// alert per key is active; inactive keys take no memory.
///
/// Inhibition: while an `InhibitRule` is active, its targets' alerts still run through the
/// state machine but their `firing`/`resolved` lines are held back; an alert still firing
/// when the mute ends is announced then. The mute itself is announced (`muted`/`unmuted`).
///
/// Not thread-safe by design (a value type): the daemon's pipeline thread owns it.
package struct AlertEngine: Sendable {
    package private(set) var rules: [String: AlertRule] {
        didSet { ruleList = Array(rules.values) }
    }
    /// The same rules as a list: a plant has a handful, and finding one by comparing names
    /// (the callers pass the same few strings, mostly small ones compared as two words) costs
    /// far less per reading than hashing the name.
    private var ruleList: [AlertRule] = []
    package private(set) var inhibitRules: [InhibitRule]
    /// Severity of the alerts raised by `sensorWentStale`.
    package var staleSeverity: AlertSeverity

    private struct Key: Hashable {
        let sensor: String
        let rule: String
        /// The sensor alone: a sensor has few rules, so keys differing only in their rule
        /// are told apart by `==`, and a lookup hashes one string instead of two (it runs for
        /// every reading while any alert is active anywhere).
        func hash(into hasher: inout Hasher) { hasher.combine(sensor) }
    }

    private struct ActiveAlert {
        var firing: Bool
        var start: Timestamp
        var firedAt: Timestamp
        var lastHeld: Timestamp
        var announced: Bool
        var id: String
        var lastScore: Double
        var lastValue: Double?
        var detector: String?
        var message: String
    }

    private struct InhibitState {
        var conditionHolds = false
        var active = false
        var since = Timestamp(millisecondsSinceEpoch: 0)
        var clearedAt: Timestamp?
    }

    private var alerts: [Key: ActiveAlert] = [:]
    private var inhibitStates: [InhibitState]
    private var staleSensors: Set<String> = []

    /// - Parameters:
    ///   - rules: alert rules by name (the names `observe` is called with).
    ///   - inhibitRules: mutes between sensors.
    ///   - staleSeverity: severity of stale-sensor alerts.
    package init(rules: [AlertRule], inhibitRules: [InhibitRule] = [], staleSeverity: AlertSeverity = .warning) {
        var byName: [String: AlertRule] = [:]
        for r in rules { byName[r.name] = r }
        self.rules = byName
        ruleList = Array(byName.values)
        self.inhibitRules = inhibitRules
        self.staleSeverity = staleSeverity
        inhibitStates = Array(repeating: InhibitState(), count: inhibitRules.count)
    }

    /// Takes the rules of a reloaded config (SIGHUP). Pending and firing alerts of rules that
    /// still exist (by name) carry on under the new thresholds, stale alerts carry on; those of
    /// removed rules are dropped, since nothing could resolve them any more. When the inhibit
    /// rules changed, every mute starts over inactive (their states belong to the old list).
    package mutating func reconfigure(rules newRules: [AlertRule], inhibitRules newInhibits: [InhibitRule], staleSeverity newStaleSeverity: AlertSeverity) {
        var byName: [String: AlertRule] = [:]
        for r in newRules { byName[r.name] = r }
        rules = byName
        staleSeverity = newStaleSeverity
        alerts = alerts.filter { $0.key.rule == AlertRule.staleRuleName || byName[$0.key.rule] != nil }
        if newInhibits != inhibitRules {
            inhibitRules = newInhibits
            inhibitStates = Array(repeating: InhibitState(), count: newInhibits.count)
        }
    }

    /// Number of alerts currently pending or firing (bounded by sensors × rules).
    package var activeAlertCount: Int { alerts.count }

    /// Active alerts by state, for the `tinsense_alerts` gauge: pending (not yet firing),
    /// firing (announced), muted (firing, held back by an inhibit rule). O(active alerts).
    package var stateCounts: (pending: Int, firing: Int, muted: Int) {
        var counts = (pending: 0, firing: 0, muted: 0)
        for a in alerts.values {
            if !a.firing { counts.pending += 1 } else if a.announced { counts.firing += 1 } else { counts.muted += 1 }
        }
        return counts
    }

    /// Whether `rule` on `sensor` is firing now (announced or muted).
    package func isFiring(sensor: String, rule: String) -> Bool {
        alerts[Key(sensor: sensor, rule: rule)]?.firing ?? false
    }

    /// Feeds one score of `sensor` under `rule`.
    ///
    /// - Parameters:
    ///   - detector: the detector behind the score (for the log line).
    ///   - reason: why the score is what it is (the detector's explanation). Evaluated only
    ///     when the score reaches the resolve threshold of a pending or firing alert or the
    ///     threshold of a new one: formatting it for every reading cost more than detecting.
    /// - Returns: the transitions this reading causes, in order (possibly none). A rule name
    ///   that is not configured yields none.
    package mutating func observe(sensor: String, rule ruleName: String, time: Timestamp, score: Double,
                                 value: Double, detector: String? = nil, reason: @autoclosure () -> String? = nil) -> [AlertTransition] {
        var out: [AlertTransition] = []
        updateValueInhibitions(source: sensor, value: value, time: time, into: &out)
        releaseExpiredInhibitions(now: time, into: &out)
        // Found here, not by a method: a non-mutating method called from this mutating one
        // can be handed a copy of the whole engine.
        var found: AlertRule?
        if ruleList.count <= 8 {
            for r in ruleList where r.name == ruleName { found = r; break }
        } else {
            found = rules[ruleName]
        }
        guard let rule = found else { return out }
        let key = Key(sensor: sensor, rule: ruleName)
        // No alert active anywhere (the usual state): no need to hash the key. An active one
        // is read and written back by index: one hash of the key, not two.
        if !alerts.isEmpty, let i = alerts.index(forKey: key) {
            var alert = alerts.values[i]
            alert.lastValue = value
            alert.lastScore = score
            if score >= rule.resolveThreshold {
                alert.lastHeld = time
                if score >= rule.threshold || alert.firing {
                    if let detector { alert.detector = detector }
                    if let reason = reason() { alert.message = reason }
                }
            }
            if alert.firing {
                if score < rule.resolveThreshold && time.millisecondsSinceEpoch - alert.lastHeld.millisecondsSinceEpoch >= rule.keepFiringForMilliseconds {
                    alerts.remove(at: i)
                    if alert.announced { out.append(resolvedTransition(key, alert, rule, time)) }
                    afterFiringChange(sensor: sensor, rule: ruleName, time: time, into: &out)
                    return out
                }
                alerts.values[i] = alert
            } else if score < rule.resolveThreshold {
                alerts.remove(at: i)
            } else if score >= rule.threshold && (time.millisecondsSinceEpoch - alert.start.millisecondsSinceEpoch >= rule.pendingForMilliseconds
                                                    || score >= rule.immediateThreshold ?? .infinity) {
                alerts.values[i] = alert
                fire(key, rule: rule, time: time, into: &out)
            } else {
                alerts.values[i] = alert
            }
        } else if score >= rule.threshold {
            alerts[key] = ActiveAlert(
                firing: false, start: time, firedAt: time, lastHeld: time, announced: false,
                id: AlertTransition.makeID(sensor: sensor, rule: ruleName, start: time),
                lastScore: score, lastValue: value, detector: detector,
                message: reason() ?? "score \(FixedDecimal.short(score)) ≥ \(FixedDecimal.short(rule.threshold))")
            if rule.pendingForMilliseconds == 0 || score >= rule.immediateThreshold ?? .infinity {
                fire(key, rule: rule, time: time, into: &out)
            }
        }
        return out
    }

    /// The daemon's deadman found no reading of `sensor` for too long: raises the `stale`
    /// alert at once (the deadman timeout already was the pending time) and activates inhibit
    /// rules whose condition is `.stale` on this source.
    package mutating func sensorWentStale(sensor: String, time: Timestamp, lastSeen: Timestamp? = nil) -> [AlertTransition] {
        var out: [AlertTransition] = []
        guard staleSensors.insert(sensor).inserted else { return out }
        let key = Key(sensor: sensor, rule: AlertRule.staleRuleName)
        let since = lastSeen.map { " since \($0)" } ?? ""
        alerts[key] = ActiveAlert(
            firing: false, start: time, firedAt: time, lastHeld: time, announced: false,
            id: AlertTransition.makeID(sensor: sensor, rule: key.rule, start: time),
            lastScore: 1, lastValue: nil, detector: "stale", message: "no reading\(since)")
        fire(key, rule: staleRule, time: time, into: &out)
        for i in inhibitRules.indices where inhibitRules[i].source == sensor && inhibitRules[i].condition == .stale {
            setCondition(i, holds: true, time: time, into: &out)
        }
        return out
    }

    /// `sensor` sends readings again: resolves its `stale` alert.
    package mutating func sensorCameBack(sensor: String, time: Timestamp) -> [AlertTransition] {
        var out: [AlertTransition] = []
        guard staleSensors.remove(sensor) != nil else { return out }
        let key = Key(sensor: sensor, rule: AlertRule.staleRuleName)
        if let alert = alerts.removeValue(forKey: key) {
            var resolved = resolvedTransition(key, alert, staleRule, time)
            resolved.message = "readings resumed"
            if alert.announced { out.append(resolved) }
            afterFiringChange(sensor: sensor, rule: key.rule, time: time, into: &out)
        }
        for i in inhibitRules.indices where inhibitRules[i].source == sensor && inhibitRules[i].condition == .stale {
            setCondition(i, holds: false, time: time, into: &out)
        }
        releaseExpiredInhibitions(now: time, into: &out)
        return out
    }

    /// Switches an inhibit rule's condition from outside (for `.external` rules, or to force
    /// any rule). Unknown names yield no transitions.
    package mutating func setInhibition(_ name: String, active: Bool, time: Timestamp) -> [AlertTransition] {
        var out: [AlertTransition] = []
        for i in inhibitRules.indices where inhibitRules[i].name == name {
            setCondition(i, holds: active, time: time, into: &out)
        }
        releaseExpiredInhibitions(now: time, into: &out)
        return out
    }

    /// Lets time pass without a reading (the daemon's periodic tick), so that inhibit rules
    /// with `releaseAfter` can end while their source is silent.
    package mutating func advance(to time: Timestamp) -> [AlertTransition] {
        var out: [AlertTransition] = []
        releaseExpiredInhibitions(now: time, into: &out)
        return out
    }

    /// Whether any active inhibit rule mutes `rule` on `sensor` now.
    package func isMuted(sensor: String, rule: String) -> Bool {
        inhibitRules.indices.contains { inhibitStates[$0].active && inhibitRules[$0].mutes(sensor: sensor, rule: rule) }
    }

    // MARK: - internals

    private var staleRule: AlertRule {
        AlertRule(name: AlertRule.staleRuleName, threshold: 1, resolveThreshold: 1, severity: staleSeverity)
    }

    private mutating func fire(_ key: Key, rule: AlertRule, time: Timestamp, into out: inout [AlertTransition]) {
        guard var alert = alerts[key] else { return }
        alert.firing = true
        alert.firedAt = time
        alert.lastHeld = time
        alert.announced = !isMuted(sensor: key.sensor, rule: key.rule)
        alerts[key] = alert
        if alert.announced { out.append(firingTransition(key, alert, rule, time)) }
        afterFiringChange(sensor: key.sensor, rule: key.rule, time: time, into: &out)
    }

    private func firingTransition(_ key: Key, _ a: ActiveAlert, _ rule: AlertRule, _ time: Timestamp) -> AlertTransition {
        AlertTransition(
            kind: .firing, time: time, sensor: key.sensor, rule: key.rule, detector: a.detector,
            severity: rule.severity, value: a.lastValue, score: a.lastScore, threshold: rule.threshold,
            alertID: a.id, startsAt: a.start, message: a.message)
    }

    private func resolvedTransition(_ key: Key, _ a: ActiveAlert, _ rule: AlertRule, _ time: Timestamp) -> AlertTransition {
        let seconds = Double(time.millisecondsSinceEpoch - a.firedAt.millisecondsSinceEpoch) / 1000
        return AlertTransition(
            kind: .resolved, time: time, sensor: key.sensor, rule: key.rule, detector: a.detector,
            severity: rule.severity, value: a.lastValue, score: a.lastScore, threshold: rule.resolveThreshold,
            alertID: a.id, startsAt: a.start,
            message: "cleared after \(FixedDecimal.short(seconds)) s firing")
    }

    /// Alerts of `.firing(rule:)` inhibit rules are sources too.
    private mutating func afterFiringChange(sensor: String, rule: String, time: Timestamp, into out: inout [AlertTransition]) {
        for i in inhibitRules.indices where inhibitRules[i].source == sensor && inhibitRules[i].condition == .firing(rule: rule) {
            setCondition(i, holds: isFiring(sensor: sensor, rule: rule), time: time, into: &out)
        }
    }

    private mutating func updateValueInhibitions(source: String, value: Double, time: Timestamp, into out: inout [AlertTransition]) {
        for i in inhibitRules.indices where inhibitRules[i].source == source {
            switch inhibitRules[i].condition {
            case .valueBelow(let x): setCondition(i, holds: value < x, time: time, into: &out)
            case .valueAbove(let x): setCondition(i, holds: value > x, time: time, into: &out)
            case .stale, .firing, .external: break
            }
        }
    }

    private mutating func setCondition(_ i: Int, holds: Bool, time: Timestamp, into out: inout [AlertTransition]) {
        let previous = inhibitStates[i].conditionHolds
        inhibitStates[i].conditionHolds = holds
        if holds {
            inhibitStates[i].clearedAt = nil
            if !inhibitStates[i].active { activate(i, time: time, into: &out) }
        } else if previous && inhibitStates[i].active {
            inhibitStates[i].clearedAt = time
            if inhibitRules[i].releaseAfterMilliseconds == 0 { deactivate(i, time: time, into: &out) }
        }
    }

    private mutating func releaseExpiredInhibitions(now: Timestamp, into out: inout [AlertTransition]) {
        for i in inhibitStates.indices {
            guard inhibitStates[i].active, !inhibitStates[i].conditionHolds, let cleared = inhibitStates[i].clearedAt,
                  now.millisecondsSinceEpoch - cleared.millisecondsSinceEpoch >= inhibitRules[i].releaseAfterMilliseconds
            else { continue }
            deactivate(i, time: now, into: &out)
        }
    }

    private mutating func activate(_ i: Int, time: Timestamp, into out: inout [AlertTransition]) {
        let r = inhibitRules[i]
        inhibitStates[i].active = true
        inhibitStates[i].since = time
        let rules = r.targetRules.isEmpty ? "all" : r.targetRules.joined(separator: ",")
        out.append(AlertTransition(
            kind: .muted, time: time, sensor: r.source, rule: r.name, detector: nil, severity: .info,
            value: nil, score: nil, threshold: nil,
            alertID: AlertTransition.makeID(sensor: r.source, rule: r.name, start: time), startsAt: time,
            message: "\(r.source) \(r.condition): muting \(rules) alerts of \(r.targets.joined(separator: ", "))"))
    }

    private mutating func deactivate(_ i: Int, time: Timestamp, into out: inout [AlertTransition]) {
        let r = inhibitRules[i]
        let since = inhibitStates[i].since
        inhibitStates[i].active = false
        inhibitStates[i].clearedAt = nil
        out.append(AlertTransition(
            kind: .unmuted, time: time, sensor: r.source, rule: r.name, detector: nil, severity: .info,
            value: nil, score: nil, threshold: nil,
            alertID: AlertTransition.makeID(sensor: r.source, rule: r.name, start: since), startsAt: since,
            message: "\(r.source) no longer \(r.condition): alerts of \(r.targets.joined(separator: ", ")) unmuted"))
        // Alerts that fired while muted and still fire are announced now.
        let held = alerts.filter { $0.value.firing && !$0.value.announced && !isMuted(sensor: $0.key.sensor, rule: $0.key.rule) }
        // Sorted so that replays write the same lines in the same order (dictionary order is seeded per process).
        for (key, alert) in held.sorted(by: { ($0.key.sensor, $0.key.rule) < ($1.key.sensor, $1.key.rule) }) {
            var a = alert
            a.announced = true
            alerts[key] = a
            let rule = key.rule == AlertRule.staleRuleName ? staleRule : (rules[key.rule] ?? staleRule)
            out.append(firingTransition(key, a, rule, time))
        }
    }
}
