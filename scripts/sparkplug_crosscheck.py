#!/usr/bin/env python3
"""The independent Sparkplug B encoder/decoder of the cross-check test (TinsenseSparkplugTests).

Python's protobuf runtime (Debian python3-protobuf 3.21 or PyPI protobuf 4-7) builds the
message classes at run time from a descriptor set that protoc made from the same
sparkplug_b.proto, so no generated Python code (and no gencode/runtime version check) is
involved.

  sparkplug_crosscheck.py encode DESCRIPTOR_SET   prints "TOPIC HEX" lines of known payloads
  sparkplug_crosscheck.py decode DESCRIPTOR_SET   reads "TOPIC HEX" lines, prints one JSON
                                                  object per line with the decoded fields
"""
import json
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def payload_class(descriptor_set_path):
    with open(descriptor_set_path, "rb") as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file_proto in files.file:
        pool.Add(file_proto)
    descriptor = pool.FindMessageTypeByName("org.eclipse.tahu.protobuf.Payload")
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.21
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)  # protobuf 3.x


# DataType codes of the specification.
INT8, INT32, INT64, UINT64, FLOAT, DOUBLE, BOOLEAN, STRING = 1, 3, 4, 8, 9, 10, 11, 12
T0 = 1795750000000


def metric(p, name=None, alias=None, datatype=DOUBLE, timestamp=None, **value):
    m = p.metrics.add()
    if name is not None:
        m.name = name
    if alias is not None:
        m.alias = alias
    m.datatype = datatype
    if timestamp is not None:
        m.timestamp = timestamp
    for key, v in value.items():
        if key == "properties":
            for prop_key, (prop_type, prop_value) in v.items():
                m.properties.keys.append(prop_key)
                pv = m.properties.values.add()
                pv.type = prop_type
                if prop_type == STRING:
                    pv.string_value = prop_value
                else:
                    pv.int_value = prop_value
        else:
            setattr(m, key, v)
    return m


def encode(cls):
    """The cases the Swift test expects, in order (see SparkplugCrossCheckTests)."""
    out = []
    nbirth = cls(timestamp=T0, seq=250)
    metric(nbirth, "bdSeq", datatype=INT64, long_value=7)
    metric(nbirth, "Node Control/Rebirth", datatype=BOOLEAN, boolean_value=False)
    metric(nbirth, "uptime", alias=1, datatype=INT64, timestamp=T0, long_value=12345)
    out.append(("spBv1.0/tinmine/NBIRTH/pilot1", nbirth))

    dbirth = cls(timestamp=T0 + 1, seq=251)
    metric(dbirth, "pulp_ph", alias=2, datatype=DOUBLE, timestamp=T0 + 1, double_value=6.5,
           properties={"Quality": (INT32, 192), "engUnit": (STRING, "[pH]")})
    metric(dbirth, "froth_level", alias=3, datatype=FLOAT, timestamp=T0 + 1, float_value=7.14)
    metric(dbirth, "air_temp", alias=4, datatype=INT32, timestamp=T0 + 1,
           int_value=struct.unpack("<I", struct.pack("<i", -40))[0])
    metric(dbirth, "pump_state", alias=5, datatype=INT8, timestamp=T0 + 1, int_value=0xFF)
    metric(dbirth, "running", alias=6, datatype=BOOLEAN, timestamp=T0 + 1, boolean_value=True)
    metric(dbirth, "mode", alias=7, datatype=STRING, timestamp=T0 + 1, string_value="auto")
    metric(dbirth, "totalizer", alias=8, datatype=UINT64, timestamp=T0 + 1, long_value=2**40)
    metric(dbirth, "spare", alias=9, datatype=DOUBLE, is_null=True)
    out.append(("spBv1.0/tinmine/DBIRTH/pilot1/cell01", dbirth))

    # seq wraps 255 -> 0; 253 is sent after 254 (reordered), 255 after 0.
    for seq, alias, value, extra in [
        (253, 2, 6.55, {}),
        (252, 2, 6.6, {"properties": {"Quality": (INT32, 500)}}),
        (0, 3, 7.5, {}),
        (255, 2, 6.45, {"is_historical": True}),
    ]:
        p = cls(timestamp=T0 + 10 + seq, seq=seq)
        kind = "float_value" if alias == 3 else "double_value"
        metric(p, alias=alias, datatype=FLOAT if alias == 3 else DOUBLE, timestamp=T0 + 10 + seq,
               **{kind: value}, **extra)
        out.append(("spBv1.0/tinmine/DDATA/pilot1/cell01", p))
    stale_will = cls()
    metric(stale_will, "bdSeq", datatype=INT64, long_value=6)
    out.append(("spBv1.0/tinmine/NDEATH/pilot1", stale_will))
    death = cls()
    metric(death, "bdSeq", datatype=INT64, long_value=7)
    out.append(("spBv1.0/tinmine/NDEATH/pilot1", death))
    for topic, p in out:
        print(topic, p.SerializeToString().hex())


def decode(cls):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        topic, hex_payload = line.split(" ", 1)
        p = cls.FromString(bytes.fromhex(hex_payload))
        metrics = []
        for m in p.metrics:
            value_kind = m.WhichOneof("value")
            entry = {
                "name": m.name if m.HasField("name") else None,
                "alias": m.alias if m.HasField("alias") else None,
                "datatype": m.datatype,
                "timestamp": m.timestamp if m.HasField("timestamp") else None,
                "is_null": m.is_null,
                "value_kind": value_kind,
                "value": getattr(m, value_kind) if value_kind in ("int_value", "long_value", "double_value",
                                                                 "float_value", "boolean_value", "string_value") else None,
                "properties": {k: (v.string_value if v.WhichOneof("value") == "string_value" else v.int_value)
                               for k, v in zip(m.properties.keys, m.properties.values)},
            }
            metrics.append(entry)
        print(json.dumps({
            "topic": topic,
            "timestamp": p.timestamp if p.HasField("timestamp") else None,
            "seq": p.seq if p.HasField("seq") else None,
            "metrics": metrics,
        }))


if __name__ == "__main__":
    mode, descriptor_set = sys.argv[1], sys.argv[2]
    cls = payload_class(descriptor_set)
    {"encode": encode, "decode": decode}[mode](cls)
