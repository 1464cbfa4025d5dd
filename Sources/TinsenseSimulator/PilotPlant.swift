/// The instruments of the tin pilot plant `pilot1`, line `line1` (see docs/ARCHITECTURE.md
/// and config/tinsense.toml, which has one `[[sensor]]` entry per class of these).
///
/// Flowsheet: belt `conveyor01` → jaw `crusher01` → belt `conveyor02` → cone `crusher02`
/// (a trip of either crusher stops both belts: interlock); fines go to a four-cell flotation
/// bank with three reagent pumps and a froth camera; coarse cassiterite to two shaking
/// tables, a spiral and a jig; an on-stream XRF analyzer `xrf01` multiplexes four slurry
/// streams (feed, rougher concentrate, final concentrate, tails), one stream per minute,
/// so each stream gets an assay of Sn, Fe, As and slurry density every 4 minutes.
///
/// Payload shapes: everything publishes RFC 3339 JSON except `table02` (JSON with epoch-ms
/// `ts`, no unit) and `jig01` (bare numbers, no timestamp).
package enum PilotPlant {
    /// The site level of every topic.
    package static let site = "pilot1"

    /// The crushers a `trip` fault can stop, in flow order.
    package static let crushers = ["crusher01", "crusher02"]

    /// Every simulated sensor, 70 of them.
    package static let sensors: [SimulatedSensor] = [
        SimulatedSensor(
            id: "conveyor01/feed_rate", topic: "tinmine/pilot1/crushing/line1/conveyor01/feed_rate_t_h",
            configPattern: "tinmine/+/crushing/+/{equipment}/feed_rate_t_h", unit: "t/h",
            range: 0.0...150.0, plausible: 0.0...60.0, maxRatePerSecond: 8.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 0.4, coupling: .crusherLoad(crusher: 1, base: 0.0, runningExtra: 0.0, perTonnePerHour: 1.0, averagedOverSeconds: 0)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "conveyor02/feed_rate", topic: "tinmine/pilot1/crushing/line1/conveyor02/feed_rate_t_h",
            configPattern: "tinmine/+/crushing/+/{equipment}/feed_rate_t_h", unit: "t/h",
            range: 0.0...150.0, plausible: 0.0...60.0, maxRatePerSecond: 8.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 0.4, coupling: .crusherLoad(crusher: 2, base: 0.0, runningExtra: 0.0, perTonnePerHour: 1.0, averagedOverSeconds: 0)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher01/vibration", topic: "tinmine/pilot1/crushing/line1/crusher01/vibration_mm_s",
            configPattern: "tinmine/+/crushing/+/{equipment}/vibration_mm_s", unit: "mm/s",
            range: 0.0...50.0, plausible: 0.0...11.2, maxRatePerSecond: 3.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 0.15, coupling: .crusherLoad(crusher: 1, base: 0.1, runningExtra: 0.5, perTonnePerHour: 0.1, averagedOverSeconds: 0)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher02/vibration", topic: "tinmine/pilot1/crushing/line1/crusher02/vibration_mm_s",
            configPattern: "tinmine/+/crushing/+/{equipment}/vibration_mm_s", unit: "mm/s",
            range: 0.0...50.0, plausible: 0.0...11.2, maxRatePerSecond: 3.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 0.2, coupling: .crusherLoad(crusher: 2, base: 0.1, runningExtra: 0.7, perTonnePerHour: 0.12, averagedOverSeconds: 0)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher01/bearing_temp", topic: "tinmine/pilot1/crushing/line1/crusher01/bearing_temp_c",
            configPattern: "tinmine/+/crushing/+/{equipment}/bearing_temp_c", unit: "Cel",
            range: -20.0...150.0, plausible: 5.0...85.0, maxRatePerSecond: 1.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 0.1, coupling: .crusherLoad(crusher: 1, base: 30.0, runningExtra: 4.0, perTonnePerHour: 0.5, averagedOverSeconds: 600)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher02/bearing_temp", topic: "tinmine/pilot1/crushing/line1/crusher02/bearing_temp_c",
            configPattern: "tinmine/+/crushing/+/{equipment}/bearing_temp_c", unit: "Cel",
            range: -20.0...150.0, plausible: 5.0...85.0, maxRatePerSecond: 1.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 0.1, coupling: .crusherLoad(crusher: 2, base: 31.0, runningExtra: 5.0, perTonnePerHour: 0.45, averagedOverSeconds: 600)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher01/lube_oil_pressure", topic: "tinmine/pilot1/crushing/line1/crusher01/lube_oil_pressure_bar",
            configPattern: "tinmine/+/crushing/+/{equipment}/lube_oil_pressure_bar", unit: "bar",
            range: 0.0...10.0, plausible: 0.8...4.0, maxRatePerSecond: 0.5,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 2.2, wanderAmplitude: 0.15, noiseSigma: 0.03, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher02/lube_oil_pressure", topic: "tinmine/pilot1/crushing/line1/crusher02/lube_oil_pressure_bar",
            configPattern: "tinmine/+/crushing/+/{equipment}/lube_oil_pressure_bar", unit: "bar",
            range: 0.0...10.0, plausible: 0.8...4.0, maxRatePerSecond: 0.5,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 2.6, wanderAmplitude: 0.15, noiseSigma: 0.03, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher01/lube_oil_temp", topic: "tinmine/pilot1/crushing/line1/crusher01/lube_oil_temp_c",
            configPattern: "tinmine/+/crushing/+/{equipment}/lube_oil_temp_c", unit: "Cel",
            range: -20.0...120.0, plausible: 15.0...65.0, maxRatePerSecond: 1.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 0.1, coupling: .crusherLoad(crusher: 1, base: 34.0, runningExtra: 2.0, perTonnePerHour: 0.2, averagedOverSeconds: 600)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher02/lube_oil_temp", topic: "tinmine/pilot1/crushing/line1/crusher02/lube_oil_temp_c",
            configPattern: "tinmine/+/crushing/+/{equipment}/lube_oil_temp_c", unit: "Cel",
            range: -20.0...120.0, plausible: 15.0...65.0, maxRatePerSecond: 1.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 0.1, coupling: .crusherLoad(crusher: 2, base: 35.0, runningExtra: 3.0, perTonnePerHour: 0.22, averagedOverSeconds: 600)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher01/motor_power", topic: "tinmine/pilot1/crushing/line1/crusher01/motor_power_kw",
            configPattern: "tinmine/+/crushing/+/{equipment}/motor_power_kw", unit: "kW",
            range: 0.0...250.0, plausible: 0.0...160.0, maxRatePerSecond: 30.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 1.0, coupling: .crusherLoad(crusher: 1, base: 0.0, runningExtra: 12.0, perTonnePerHour: 1.6, averagedOverSeconds: 0)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher02/motor_power", topic: "tinmine/pilot1/crushing/line1/crusher02/motor_power_kw",
            configPattern: "tinmine/+/crushing/+/{equipment}/motor_power_kw", unit: "kW",
            range: 0.0...250.0, plausible: 0.0...160.0, maxRatePerSecond: 30.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 1.5, coupling: .crusherLoad(crusher: 2, base: 0.0, runningExtra: 18.0, perTonnePerHour: 2.4, averagedOverSeconds: 0)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher01/motor_current", topic: "tinmine/pilot1/crushing/line1/crusher01/motor_current_a",
            configPattern: "tinmine/+/crushing/+/{equipment}/motor_current_a", unit: "A",
            range: 0.0...500.0, plausible: 0.0...300.0, maxRatePerSecond: 50.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 1.5, coupling: .crusherLoad(crusher: 1, base: 0.0, runningExtra: 20.4, perTonnePerHour: 2.72, averagedOverSeconds: 0)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher02/motor_current", topic: "tinmine/pilot1/crushing/line1/crusher02/motor_current_a",
            configPattern: "tinmine/+/crushing/+/{equipment}/motor_current_a", unit: "A",
            range: 0.0...500.0, plausible: 0.0...300.0, maxRatePerSecond: 50.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 2.5, coupling: .crusherLoad(crusher: 2, base: 0.0, runningExtra: 30.6, perTonnePerHour: 4.08, averagedOverSeconds: 0)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher02/lube_oil_flow", topic: "tinmine/pilot1/crushing/line1/crusher02/lube_oil_flow_l_min",
            configPattern: "tinmine/+/crushing/+/{equipment}/lube_oil_flow_l_min", unit: "L/min",
            range: 0.0...200.0, plausible: 20.0...120.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 60.0, wanderAmplitude: 5.0, noiseSigma: 0.5, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "crusher02/cavity_level", topic: "tinmine/pilot1/crushing/line1/crusher02/cavity_level_pct",
            configPattern: "tinmine/+/crushing/+/{equipment}/cavity_level_pct", unit: "%",
            range: 0.0...100.0, plausible: 0.0...100.0, maxRatePerSecond: 10.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.0, wanderAmplitude: 0.0, noiseSigma: 1.0, coupling: .crusherLoad(crusher: 2, base: 20.0, runningExtra: 0.0, perTonnePerHour: 1.5, averagedOverSeconds: 30)),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell01/pulp_ph", topic: "tinmine/pilot1/flotation/line1/cell01/pulp_ph",
            configPattern: "tinmine/+/flotation/+/{equipment}/pulp_ph", unit: "[pH]",
            range: 0.0...14.0, plausible: 5.0...8.0, maxRatePerSecond: 0.1,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 6.3, wanderAmplitude: 0.15, noiseSigma: 0.01, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell02/pulp_ph", topic: "tinmine/pilot1/flotation/line1/cell02/pulp_ph",
            configPattern: "tinmine/+/flotation/+/{equipment}/pulp_ph", unit: "[pH]",
            range: 0.0...14.0, plausible: 5.0...8.0, maxRatePerSecond: 0.1,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 6.3, wanderAmplitude: 0.15, noiseSigma: 0.01, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell03/pulp_ph", topic: "tinmine/pilot1/flotation/line1/cell03/pulp_ph",
            configPattern: "tinmine/+/flotation/+/{equipment}/pulp_ph", unit: "[pH]",
            range: 0.0...14.0, plausible: 5.0...8.0, maxRatePerSecond: 0.1,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 6.1, wanderAmplitude: 0.15, noiseSigma: 0.01, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell04/pulp_ph", topic: "tinmine/pilot1/flotation/line1/cell04/pulp_ph",
            configPattern: "tinmine/+/flotation/+/{equipment}/pulp_ph", unit: "[pH]",
            range: 0.0...14.0, plausible: 5.0...8.0, maxRatePerSecond: 0.1,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 6.1, wanderAmplitude: 0.15, noiseSigma: 0.01, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell01/pulp_level", topic: "tinmine/pilot1/flotation/line1/cell01/pulp_level_cm",
            configPattern: "tinmine/+/flotation/+/{equipment}/pulp_level_cm", unit: "cm",
            range: 0.0...150.0, plausible: 20.0...120.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 70.0, wanderAmplitude: 5.0, noiseSigma: 0.25, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell02/pulp_level", topic: "tinmine/pilot1/flotation/line1/cell02/pulp_level_cm",
            configPattern: "tinmine/+/flotation/+/{equipment}/pulp_level_cm", unit: "cm",
            range: 0.0...150.0, plausible: 20.0...120.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 68.0, wanderAmplitude: 5.0, noiseSigma: 0.25, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell03/pulp_level", topic: "tinmine/pilot1/flotation/line1/cell03/pulp_level_cm",
            configPattern: "tinmine/+/flotation/+/{equipment}/pulp_level_cm", unit: "cm",
            range: 0.0...150.0, plausible: 20.0...120.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 72.0, wanderAmplitude: 5.0, noiseSigma: 0.25, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell04/pulp_level", topic: "tinmine/pilot1/flotation/line1/cell04/pulp_level_cm",
            configPattern: "tinmine/+/flotation/+/{equipment}/pulp_level_cm", unit: "cm",
            range: 0.0...150.0, plausible: 20.0...120.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 74.0, wanderAmplitude: 5.0, noiseSigma: 0.25, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell01/air_flow", topic: "tinmine/pilot1/flotation/line1/cell01/air_flow_m3_h",
            configPattern: "tinmine/+/flotation/+/{equipment}/air_flow_m3_h", unit: "m3/h",
            range: 0.0...200.0, plausible: 10.0...120.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 45.0, wanderAmplitude: 4.0, noiseSigma: 0.6, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell02/air_flow", topic: "tinmine/pilot1/flotation/line1/cell02/air_flow_m3_h",
            configPattern: "tinmine/+/flotation/+/{equipment}/air_flow_m3_h", unit: "m3/h",
            range: 0.0...200.0, plausible: 10.0...120.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 42.0, wanderAmplitude: 4.0, noiseSigma: 0.6, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell03/air_flow", topic: "tinmine/pilot1/flotation/line1/cell03/air_flow_m3_h",
            configPattern: "tinmine/+/flotation/+/{equipment}/air_flow_m3_h", unit: "m3/h",
            range: 0.0...200.0, plausible: 10.0...120.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 38.0, wanderAmplitude: 4.0, noiseSigma: 0.6, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell04/air_flow", topic: "tinmine/pilot1/flotation/line1/cell04/air_flow_m3_h",
            configPattern: "tinmine/+/flotation/+/{equipment}/air_flow_m3_h", unit: "m3/h",
            range: 0.0...200.0, plausible: 10.0...120.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 36.0, wanderAmplitude: 4.0, noiseSigma: 0.6, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "cell01/orp", topic: "tinmine/pilot1/flotation/line1/cell01/orp_mv",
            configPattern: "tinmine/+/flotation/+/{equipment}/orp_mv", unit: "mV",
            range: -2000.0...2000.0, plausible: -400.0...400.0, maxRatePerSecond: 20.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 0, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 120.0, wanderAmplitude: 30.0, noiseSigma: 1.5, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "dosing01/collector_dose", topic: "tinmine/pilot1/flotation/line1/dosing01/collector_ml_min",
            configPattern: "tinmine/+/flotation/+/{equipment}/collector_ml_min", unit: "mL/min",
            range: 0.0...500.0, plausible: 5.0...250.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 5000, staleAfterSeconds: 20, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 120.0, wanderAmplitude: 10.0, noiseSigma: 1.0, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "dosing02/frother_dose", topic: "tinmine/pilot1/flotation/line1/dosing02/frother_ml_min",
            configPattern: "tinmine/+/flotation/+/{equipment}/frother_ml_min", unit: "mL/min",
            range: 0.0...500.0, plausible: 2.0...120.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 5000, staleAfterSeconds: 20, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 40.0, wanderAmplitude: 4.0, noiseSigma: 0.4, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "dosing03/depressant_dose", topic: "tinmine/pilot1/flotation/line1/dosing03/depressant_ml_min",
            configPattern: "tinmine/+/flotation/+/{equipment}/depressant_ml_min", unit: "mL/min",
            range: 0.0...1000.0, plausible: 10.0...400.0, maxRatePerSecond: 10.0,
            periodMilliseconds: 5000, staleAfterSeconds: 20, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 200.0, wanderAmplitude: 15.0, noiseSigma: 2.0, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "froth01/bubble_size", topic: "tinmine/pilot1/flotation/line1/froth01/bubble_size_mm",
            configPattern: "tinmine/+/flotation/+/{equipment}/bubble_size_mm", unit: "mm",
            range: 0.0...50.0, plausible: 0.5...20.0, maxRatePerSecond: 1.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 6.0, wanderAmplitude: 1.0, noiseSigma: 0.1, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "froth01/froth_velocity", topic: "tinmine/pilot1/flotation/line1/froth01/froth_velocity_cm_s",
            configPattern: "tinmine/+/flotation/+/{equipment}/froth_velocity_cm_s", unit: "cm/s",
            range: 0.0...30.0, plausible: 0.2...10.0, maxRatePerSecond: 0.5,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 3.0, wanderAmplitude: 0.5, noiseSigma: 0.05, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "froth01/froth_stability", topic: "tinmine/pilot1/flotation/line1/froth01/froth_stability_pct",
            configPattern: "tinmine/+/flotation/+/{equipment}/froth_stability_pct", unit: "%",
            range: 0.0...100.0, plausible: 20.0...100.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 78.0, wanderAmplitude: 6.0, noiseSigma: 0.6, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table01/stroke_length", topic: "tinmine/pilot1/gravity/line1/table01/stroke_length_mm",
            configPattern: "tinmine/+/gravity/+/{equipment}/stroke_length_mm", unit: "mm",
            range: 0.0...40.0, plausible: 8.0...30.0, maxRatePerSecond: 0.5,
            periodMilliseconds: 10000, staleAfterSeconds: 30, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 18.0, wanderAmplitude: 0.2, noiseSigma: 0.05, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table02/stroke_length", topic: "tinmine/pilot1/gravity/line1/table02/stroke_length_mm",
            configPattern: "tinmine/+/gravity/+/{equipment}/stroke_length_mm", unit: "mm",
            range: 0.0...40.0, plausible: 8.0...30.0, maxRatePerSecond: 0.5,
            periodMilliseconds: 10000, staleAfterSeconds: 30, scale: 1, shape: .jsonEpochMilliseconds,
            signal: SignalModel(nominal: 16.0, wanderAmplitude: 0.2, noiseSigma: 0.05, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table01/stroke_rate", topic: "tinmine/pilot1/gravity/line1/table01/stroke_rate_spm",
            configPattern: "tinmine/+/gravity/+/{equipment}/stroke_rate_spm", unit: "/min",
            range: 0.0...400.0, plausible: 200.0...350.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 10000, staleAfterSeconds: 30, scale: 0, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 280.0, wanderAmplitude: 2.0, noiseSigma: 0.5, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table02/stroke_rate", topic: "tinmine/pilot1/gravity/line1/table02/stroke_rate_spm",
            configPattern: "tinmine/+/gravity/+/{equipment}/stroke_rate_spm", unit: "/min",
            range: 0.0...400.0, plausible: 200.0...350.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 10000, staleAfterSeconds: 30, scale: 0, shape: .jsonEpochMilliseconds,
            signal: SignalModel(nominal: 285.0, wanderAmplitude: 2.0, noiseSigma: 0.5, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table01/deck_slope", topic: "tinmine/pilot1/gravity/line1/table01/deck_slope_deg",
            configPattern: "tinmine/+/gravity/+/{equipment}/deck_slope_deg", unit: "deg",
            range: 0.0...12.0, plausible: 3.0...7.0, maxRatePerSecond: 0.1,
            periodMilliseconds: 10000, staleAfterSeconds: 30, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 4.5, wanderAmplitude: 0.1, noiseSigma: 0.02, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table02/deck_slope", topic: "tinmine/pilot1/gravity/line1/table02/deck_slope_deg",
            configPattern: "tinmine/+/gravity/+/{equipment}/deck_slope_deg", unit: "deg",
            range: 0.0...12.0, plausible: 3.0...7.0, maxRatePerSecond: 0.1,
            periodMilliseconds: 10000, staleAfterSeconds: 30, scale: 2, shape: .jsonEpochMilliseconds,
            signal: SignalModel(nominal: 5.2, wanderAmplitude: 0.1, noiseSigma: 0.02, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table01/wash_water", topic: "tinmine/pilot1/gravity/line1/table01/wash_water_l_min",
            configPattern: "tinmine/+/gravity/+/{equipment}/wash_water_l_min", unit: "L/min",
            range: 0.0...200.0, plausible: 10.0...120.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 45.0, wanderAmplitude: 4.0, noiseSigma: 0.5, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table02/wash_water", topic: "tinmine/pilot1/gravity/line1/table02/wash_water_l_min",
            configPattern: "tinmine/+/gravity/+/{equipment}/wash_water_l_min", unit: "L/min",
            range: 0.0...200.0, plausible: 10.0...120.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonEpochMilliseconds,
            signal: SignalModel(nominal: 48.0, wanderAmplitude: 4.0, noiseSigma: 0.5, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "spiral01/wash_water", topic: "tinmine/pilot1/gravity/line1/spiral01/wash_water_l_min",
            configPattern: "tinmine/+/gravity/+/{equipment}/wash_water_l_min", unit: "L/min",
            range: 0.0...200.0, plausible: 10.0...120.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 30.0, wanderAmplitude: 3.0, noiseSigma: 0.4, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table01/feed_rate", topic: "tinmine/pilot1/gravity/line1/table01/feed_rate_kg_h",
            configPattern: "tinmine/+/gravity/+/{equipment}/feed_rate_kg_h", unit: "kg/h",
            range: 0.0...2000.0, plausible: 100.0...1200.0, maxRatePerSecond: 40.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 0, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 600.0, wanderAmplitude: 60.0, noiseSigma: 5.0, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table02/feed_rate", topic: "tinmine/pilot1/gravity/line1/table02/feed_rate_kg_h",
            configPattern: "tinmine/+/gravity/+/{equipment}/feed_rate_kg_h", unit: "kg/h",
            range: 0.0...2000.0, plausible: 100.0...1200.0, maxRatePerSecond: 40.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 0, shape: .jsonEpochMilliseconds,
            signal: SignalModel(nominal: 560.0, wanderAmplitude: 60.0, noiseSigma: 5.0, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table01/feed_solids", topic: "tinmine/pilot1/gravity/line1/table01/feed_solids_pct",
            configPattern: "tinmine/+/gravity/+/{equipment}/feed_solids_pct", unit: "%",
            range: 0.0...100.0, plausible: 10.0...35.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 25.0, wanderAmplitude: 2.5, noiseSigma: 0.25, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "table02/feed_solids", topic: "tinmine/pilot1/gravity/line1/table02/feed_solids_pct",
            configPattern: "tinmine/+/gravity/+/{equipment}/feed_solids_pct", unit: "%",
            range: 0.0...100.0, plausible: 10.0...35.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonEpochMilliseconds,
            signal: SignalModel(nominal: 24.0, wanderAmplitude: 2.5, noiseSigma: 0.25, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "spiral01/feed_solids", topic: "tinmine/pilot1/gravity/line1/spiral01/feed_solids_pct",
            configPattern: "tinmine/+/gravity/+/{equipment}/feed_solids_pct", unit: "%",
            range: 0.0...100.0, plausible: 10.0...35.0, maxRatePerSecond: 2.0,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 1, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 28.0, wanderAmplitude: 2.5, noiseSigma: 0.25, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "spiral01/feed_rate", topic: "tinmine/pilot1/gravity/line1/spiral01/feed_rate_t_h",
            configPattern: "tinmine/+/gravity/+/{equipment}/feed_rate_t_h", unit: "t/h",
            range: 0.0...10.0, plausible: 0.5...4.0, maxRatePerSecond: 0.3,
            periodMilliseconds: 1000, staleAfterSeconds: 5, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 2.0, wanderAmplitude: 0.3, noiseSigma: 0.03, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "jig01/pulse_rate", topic: "tinmine/pilot1/gravity/line1/jig01/pulse_rate_per_min",
            configPattern: "tinmine/+/gravity/+/{equipment}/pulse_rate_per_min", unit: "/min",
            range: 0.0...400.0, plausible: 100.0...300.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 2000, staleAfterSeconds: 10, scale: 0, shape: .plainNumber,
            signal: SignalModel(nominal: 180.0, wanderAmplitude: 3.0, noiseSigma: 0.5, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "jig01/stroke", topic: "tinmine/pilot1/gravity/line1/jig01/stroke_mm",
            configPattern: "tinmine/+/gravity/+/{equipment}/stroke_mm", unit: "mm",
            range: 0.0...50.0, plausible: 5.0...30.0, maxRatePerSecond: 0.5,
            periodMilliseconds: 2000, staleAfterSeconds: 10, scale: 1, shape: .plainNumber,
            signal: SignalModel(nominal: 16.0, wanderAmplitude: 0.3, noiseSigma: 0.05, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "jig01/hutch_water", topic: "tinmine/pilot1/gravity/line1/jig01/hutch_water_m3_h",
            configPattern: "tinmine/+/gravity/+/{equipment}/hutch_water_m3_h", unit: "m3/h",
            range: 0.0...50.0, plausible: 2.0...25.0, maxRatePerSecond: 0.5,
            periodMilliseconds: 2000, staleAfterSeconds: 10, scale: 2, shape: .plainNumber,
            signal: SignalModel(nominal: 9.0, wanderAmplitude: 1.0, noiseSigma: 0.1, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "jig01/bed_level", topic: "tinmine/pilot1/gravity/line1/jig01/bed_level_mm",
            configPattern: "tinmine/+/gravity/+/{equipment}/bed_level_mm", unit: "mm",
            range: 0.0...300.0, plausible: 40.0...200.0, maxRatePerSecond: 5.0,
            periodMilliseconds: 2000, staleAfterSeconds: 10, scale: 0, shape: .plainNumber,
            signal: SignalModel(nominal: 110.0, wanderAmplitude: 10.0, noiseSigma: 1.0, coupling: .independent),
            fixedPhaseMilliseconds: nil
        ),
        SimulatedSensor(
            id: "xrf01/feed_sn", topic: "tinmine/pilot1/assay/line1/xrf01/feed_sn_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/feed_sn_pct", unit: "%",
            range: 0.0...80.0, plausible: 0.1...3.0, maxRatePerSecond: 0.01,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.65, wanderAmplitude: 0.12, noiseSigma: 0.02, coupling: .independent),
            fixedPhaseMilliseconds: 55000
        ),
        SimulatedSensor(
            id: "xrf01/feed_fe", topic: "tinmine/pilot1/assay/line1/xrf01/feed_fe_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/feed_fe_pct", unit: "%",
            range: 0.0...70.0, plausible: 0.5...15.0, maxRatePerSecond: 0.05,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 4.5, wanderAmplitude: 0.5, noiseSigma: 0.08, coupling: .independent),
            fixedPhaseMilliseconds: 55000
        ),
        SimulatedSensor(
            id: "xrf01/feed_as", topic: "tinmine/pilot1/assay/line1/xrf01/feed_as_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/feed_as_pct", unit: "%",
            range: 0.0...20.0, plausible: 0.01...2.0, maxRatePerSecond: 0.01,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 3, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.25, wanderAmplitude: 0.05, noiseSigma: 0.01, coupling: .independent),
            fixedPhaseMilliseconds: 55000
        ),
        SimulatedSensor(
            id: "xrf01/feed_density", topic: "tinmine/pilot1/assay/line1/xrf01/feed_density_kg_l",
            configPattern: "tinmine/+/assay/+/{equipment}/feed_density_kg_l", unit: "kg/L",
            range: 0.8...3.0, plausible: 1.05...1.8, maxRatePerSecond: 0.01,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 3, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 1.28, wanderAmplitude: 0.03, noiseSigma: 0.005, coupling: .independent),
            fixedPhaseMilliseconds: 55000
        ),
        SimulatedSensor(
            id: "xrf01/rougher_conc_sn", topic: "tinmine/pilot1/assay/line1/xrf01/rougher_conc_sn_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/rougher_conc_sn_pct", unit: "%",
            range: 0.0...80.0, plausible: 2.0...30.0, maxRatePerSecond: 0.05,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 9.5, wanderAmplitude: 1.5, noiseSigma: 0.2, coupling: .independent),
            fixedPhaseMilliseconds: 115000
        ),
        SimulatedSensor(
            id: "xrf01/rougher_conc_fe", topic: "tinmine/pilot1/assay/line1/xrf01/rougher_conc_fe_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/rougher_conc_fe_pct", unit: "%",
            range: 0.0...70.0, plausible: 2.0...30.0, maxRatePerSecond: 0.05,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 11.0, wanderAmplitude: 1.5, noiseSigma: 0.2, coupling: .independent),
            fixedPhaseMilliseconds: 115000
        ),
        SimulatedSensor(
            id: "xrf01/rougher_conc_as", topic: "tinmine/pilot1/assay/line1/xrf01/rougher_conc_as_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/rougher_conc_as_pct", unit: "%",
            range: 0.0...20.0, plausible: 0.05...5.0, maxRatePerSecond: 0.01,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 3, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.9, wanderAmplitude: 0.15, noiseSigma: 0.03, coupling: .independent),
            fixedPhaseMilliseconds: 115000
        ),
        SimulatedSensor(
            id: "xrf01/rougher_conc_density", topic: "tinmine/pilot1/assay/line1/xrf01/rougher_conc_density_kg_l",
            configPattern: "tinmine/+/assay/+/{equipment}/rougher_conc_density_kg_l", unit: "kg/L",
            range: 0.8...3.0, plausible: 1.1...2.0, maxRatePerSecond: 0.01,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 3, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 1.35, wanderAmplitude: 0.04, noiseSigma: 0.005, coupling: .independent),
            fixedPhaseMilliseconds: 115000
        ),
        SimulatedSensor(
            id: "xrf01/final_conc_sn", topic: "tinmine/pilot1/assay/line1/xrf01/final_conc_sn_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/final_conc_sn_pct", unit: "%",
            range: 0.0...80.0, plausible: 40.0...78.0, maxRatePerSecond: 0.1,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 68.0, wanderAmplitude: 2.0, noiseSigma: 0.3, coupling: .independent),
            fixedPhaseMilliseconds: 175000
        ),
        SimulatedSensor(
            id: "xrf01/final_conc_fe", topic: "tinmine/pilot1/assay/line1/xrf01/final_conc_fe_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/final_conc_fe_pct", unit: "%",
            range: 0.0...70.0, plausible: 0.2...10.0, maxRatePerSecond: 0.05,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 2.8, wanderAmplitude: 0.4, noiseSigma: 0.06, coupling: .independent),
            fixedPhaseMilliseconds: 175000
        ),
        SimulatedSensor(
            id: "xrf01/final_conc_as", topic: "tinmine/pilot1/assay/line1/xrf01/final_conc_as_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/final_conc_as_pct", unit: "%",
            range: 0.0...20.0, plausible: 0.0...1.5, maxRatePerSecond: 0.01,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 3, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.12, wanderAmplitude: 0.03, noiseSigma: 0.006, coupling: .independent),
            fixedPhaseMilliseconds: 175000
        ),
        SimulatedSensor(
            id: "xrf01/final_conc_density", topic: "tinmine/pilot1/assay/line1/xrf01/final_conc_density_kg_l",
            configPattern: "tinmine/+/assay/+/{equipment}/final_conc_density_kg_l", unit: "kg/L",
            range: 0.8...3.0, plausible: 1.1...2.6, maxRatePerSecond: 0.01,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 3, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 1.9, wanderAmplitude: 0.08, noiseSigma: 0.008, coupling: .independent),
            fixedPhaseMilliseconds: 175000
        ),
        SimulatedSensor(
            id: "xrf01/tails_sn", topic: "tinmine/pilot1/assay/line1/xrf01/tails_sn_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/tails_sn_pct", unit: "%",
            range: 0.0...80.0, plausible: 0.0...0.5, maxRatePerSecond: 0.005,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 3, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.055, wanderAmplitude: 0.012, noiseSigma: 0.003, coupling: .independent),
            fixedPhaseMilliseconds: 235000
        ),
        SimulatedSensor(
            id: "xrf01/tails_fe", topic: "tinmine/pilot1/assay/line1/xrf01/tails_fe_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/tails_fe_pct", unit: "%",
            range: 0.0...70.0, plausible: 0.5...15.0, maxRatePerSecond: 0.05,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 2, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 4.3, wanderAmplitude: 0.5, noiseSigma: 0.08, coupling: .independent),
            fixedPhaseMilliseconds: 235000
        ),
        SimulatedSensor(
            id: "xrf01/tails_as", topic: "tinmine/pilot1/assay/line1/xrf01/tails_as_pct",
            configPattern: "tinmine/+/assay/+/{equipment}/tails_as_pct", unit: "%",
            range: 0.0...20.0, plausible: 0.01...2.0, maxRatePerSecond: 0.01,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 3, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 0.22, wanderAmplitude: 0.05, noiseSigma: 0.01, coupling: .independent),
            fixedPhaseMilliseconds: 235000
        ),
        SimulatedSensor(
            id: "xrf01/tails_density", topic: "tinmine/pilot1/assay/line1/xrf01/tails_density_kg_l",
            configPattern: "tinmine/+/assay/+/{equipment}/tails_density_kg_l", unit: "kg/L",
            range: 0.8...3.0, plausible: 1.02...1.6, maxRatePerSecond: 0.01,
            periodMilliseconds: 240000, staleAfterSeconds: 900, scale: 3, shape: .jsonRFC3339,
            signal: SignalModel(nominal: 1.22, wanderAmplitude: 0.03, noiseSigma: 0.005, coupling: .independent),
            fixedPhaseMilliseconds: 235000
        ),
    ]
}
