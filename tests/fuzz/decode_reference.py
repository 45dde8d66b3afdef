#!/usr/bin/env python3
"""The decoder's contract, restated on top of Python's json module.

  decode_reference.py edges FILE          writes the edge lines to FILE
  decode_reference.py compare INPUT DUMP  holds decode_dump's verdicts on
                                          INPUT against this reading of it

A line is one JSON value (RFC 8259, as json.loads reads it, without NaN or
Infinity); bytes that are not UTF-8 read as one U+FFFD each, and in applied
text so do \\u0000 and lone surrogates.  Of a repeated name the last counts.
event.timepoint is a number token of digits that fits a signed 64-bit
integer.  Numbers inside data are compared as doubles, as cJSON keeps them.
"""
import codecs
import json
import math
import sys

codecs.register_error("streamtop-per-byte", lambda err: ("\ufffd", err.start + 1))

TEXT_FIELDS = ("company_number", "etag", "company_name", "company_status", "company_type",
               "date_of_creation", "date_of_cessation", "address_line_1", "address_line_2",
               "locality", "region", "postal_code", "country")


class Token(int):
    """An integer that remembers how it was written."""

    def __new__(cls, text):
        value = int.__new__(cls, int(text))
        value.text = text
        return value


def reject_constant(name):
    raise ValueError("not JSON: " + name)


def repaired(text):
    return "".join("\ufffd" if c == "\0" or "\ud800" <= c <= "\udfff" else c for c in text)


def norm(value):
    if isinstance(value, dict):
        return {repaired(k): norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, str):
        return repaired(value)
    if value is None or isinstance(value, bool):
        return value
    try:
        number = float(value)
    except OverflowError:
        return None
    return None if math.isinf(number) else number   # cJSON prints what is not finite as null


def member_text(obj, name):
    value = obj.get(name) if isinstance(obj, dict) else None
    return repaired(value) if isinstance(value, str) and value else None


def expect(line):
    """What the decoder must make of one line: None when it must refuse it."""
    if b"\0" in line:
        return None
    try:
        root = json.loads(line.decode("utf-8", "streamtop-per-byte"), parse_int=Token,
                          parse_constant=reject_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(root, dict) or not isinstance(root.get("resource_kind"), str):
        return None
    if repaired(root["resource_kind"]) != "company-profile":
        return None
    event = root.get("event")
    if not isinstance(event, dict):
        return None
    tp = event.get("timepoint")
    if not isinstance(tp, Token) or not tp.text.isdigit() or tp >= 2 ** 63:
        return None
    kind = event.get("type")
    if not isinstance(kind, str) or repaired(kind) not in ("changed", "deleted"):
        return None
    data = root.get("data")
    if "data" in root and not isinstance(data, dict):
        return None
    if data is None and kind == "changed":
        return None
    address = data.get("registered_office_address") if data else None
    out = {"timepoint": str(int(tp)), "type": kind,
           "company_number": member_text(data, "company_number") or member_text(root, "resource_id")}
    for name in TEXT_FIELDS[1:7]:
        out[name] = member_text(data, "type" if name == "company_type" else name)
    for name in TEXT_FIELDS[7:]:
        out[name] = member_text(address, name)
    sic = data.get("sic_codes") if data else None
    out["sic_codes"] = norm(sic) if isinstance(sic, list) else None
    out["data"] = norm(data) if data is not None else None
    return out


def differences(line, got):
    want = expect(line)
    if want is None:
        return [] if not got["ok"] else ["accepted, but it is not an event"]
    if not got["ok"]:
        return ["refused (%s), but it is an event" % got["why"]]
    found = []
    for name, value in want.items():
        mine = got[name]
        if name in ("sic_codes", "data") and mine is not None:
            mine = norm(json.loads(mine))
        if mine != value:
            found.append("%s: decoder %r, json %r" % (name, mine, value))
    if not got["raw_exact"]:
        found.append("the raw line was not kept exactly")
    return found


def lines_of(data):
    """Lines as the framer makes them: no newline, no '\\r' before it, no heartbeats."""
    for line in data.split(b"\n")[:-1]:
        line = line[:-1] if line.endswith(b"\r") else line
        if line:
            yield line


def event(data=b'{"company_number":"00000001","company_name":"A LTD"}', tp=b"5",
          kind=b'"changed"', tail=b""):
    return (b'{"resource_kind":"company-profile","resource_id":"00000042","data":' + data +
            b',"event":{"timepoint":' + tp + b',"type":' + kind + b"}}" + tail)


def named(name_json):
    return event(b'{"company_number":"1","company_name":' + name_json + b"}")


def edge_lines():
    lines = [event(), b" \t" + event() + b" \t", event(tail=event()), event(tail=b" x"),
             event(tail=b"}"), event(tail=b","), b"\xef\xbb\xbf" + event(), b"\x0b" + event(),
             b"\x0c" + event(), b"\xc2\xa0" + event(), b"", b" ", b"[]", b'"event"', b"{}"]
    for tp in (b"0", b"115", b'"115"', b'" 115"', b'"+116"', b"1e3", b"1E3", b"1.0", b"-1", b"-0",
               b"9007199254740993", b"9007199254740992", b"9223372036854775807",
               b"9223372036854775808", b"99999999999999999999", b'"99999999999999999999"',
               b"true", b"null", b"[]", b"{}", b"01", b"+1", b"0x10", b"1 2"):
        lines.append(event(tp=tp))
    for name in (b'"A\\u0000B"', b'"\\u0000"', b'"A\\\\u0000B"', b'"A\\\\\\u0000B"', b'"A\xff\xfeB"',
                 b'"\\ud800"', b'"\\udc00x"', b'"\\ud83d\\ude00"', b'"\\ud800\\ud800\\udc00"',
                 b'"\\ud800\\u0000"', b'"\\uD834\\uDD1E"', b'"\xe2\x82"', b'"\xed\xa0\x80"',
                 b'"\xf4\x90\x80\x80"', b'"\xc0\xaf"', b'"caf\xc3\xa9"', b'"caf\\u00e9"',
                 b'"a\tb"', b'"a\x01b"', b'"a\x7fb"', b'"\\x41"', b'"\\u12"', b'"\\U0041"',
                 b'"\\/\\b\\f\\n\\r\\t\\"\\\\"', b'"unterminated', b"'single'", b"42", b"null",
                 b'""', b'"\\u0041 LTD"'):
        lines.append(named(name))
    for data in (b'{"company_number":"1","x":01}', b'{"company_number":"1","x":1.}',
                 b'{"company_number":"1","x":.5}', b'{"company_number":"1","x":+1}',
                 b'{"company_number":"1","x":-}', b'{"company_number":"1","x":1e}',
                 b'{"company_number":"1","x":[1E+2,-0.0,1e-400,0.1,1.5e300]}',
                 b'{"company_number":"1","x":1e400}', b'{"company_number":"1","x":12345678901234567890}',
                 b'{"company_number":"1","x":NaN}', b'{"company_number":"1","x":Infinity}',
                 b'{"company_number":"1","x":tru}', b'{"company_number":"1","x":True}',
                 b'{"company_number":"1","x":[1,]}', b'{"company_number":"1",}',
                 b'{"company_number":"1" "x":1}', b'{"company_number"}', b"{}", b"null", b"[1]",
                 b'"text"', b'{"company_number":""}', b'{"company_number":"1","sic_codes":["62012",1]}',
                 b'{"company_number":"1","sic_codes":"62012"}',
                 b'{"company_number":"1","registered_office_address":{"locality":"\\u0000","country":"UK"}}',
                 b'{"company_number":"1","registered_office_address":"nowhere"}',
                 b'{"company_number":"1","company_name":"OLD","company_name":"NEW"}',
                 b'{"company_number":"1","k\\u0000":1,"k\\ufffd":2}',
                 b'{"company_number":"1","k\xff":1}', b'{"company_number":"1","\\ud800":1,"\\udc00":2}',
                 b'{"company_number":"1","deep":' + b"[" * 100 + b"]" * 100 + b"}",
                 b'{"company_number":"12\\u000034"}', b'{"company_number":7}'):
        lines.append(event(data=data))
    lines += [event(kind=b'"deleted"'), event(kind=b'"merged"'), event(kind=b"1"),
              event(kind=b'"deleted","type":"changed"'), event(kind=b'"changed","type":"deleted"'),
              event(tp=b'1,"timepoint":2'), event(tp=b'2,"timepoint":"3"'),
              b'{"resource_kind":"company-profile","resource_id":"9","event":{"timepoint":1,"type":"deleted"}}',
              b'{"resource_kind":"company-profile","resource_id":"9","event":{"timepoint":1,"type":"changed"}}',
              b'{"resource_kind":"company-profile","event":{"timepoint":1,"type":"deleted"},'
              b'"event":{"timepoint":2,"type":"deleted"},"resource_id":"9"}',
              b'{"resource_kind":"company-profile","event":{"timepoint":1,"type":"deleted"},'
              b'"event":{"type":"deleted"},"resource_id":"9"}',
              b'{"resource_kind":"company-profile","\\u0065vent":{"time\\u0070oint":3,"type":"deleted"},'
              b'"resource_id":"9"}',
              b'{"resource_kind":"officers","event":{"timepoint":1,"type":"deleted"}}',
              b'{"resource_kind":"company-profile\\u0000","event":{"timepoint":1,"type":"deleted"}}',
              b'{"resource_kind":"company-profile","event":"later","resource_id":"9"}',
              b'{"resource_kind":"company-profile","event":{"timepoint":1,"type":"deleted"},"resource_id":"9"}\r',
              b'{"resource_kind":1}', b"not json", b"{broken", b"nul", b"[" * 600 + b"]" * 600]
    return lines


def main(argv):
    if len(argv) == 3 and argv[1] == "edges":
        with open(argv[2], "wb") as out:
            out.write(b"".join(line + b"\n" for line in edge_lines()))
        return 0
    if len(argv) != 4 or argv[1] != "compare":
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], "rb") as f:
        lines = list(lines_of(f.read()))
    with open(argv[3], "rb") as f:
        verdicts = f.read().splitlines()
    if len(lines) != len(verdicts):
        print("%d lines, but %d verdicts" % (len(lines), len(verdicts)))
        return 1
    failed = 0
    for number, (line, verdict) in enumerate(zip(lines, verdicts), 1):
        try:
            found = differences(line, json.loads(verdict.decode("utf-8")))
        except UnicodeDecodeError:
            found = ["decoded text that is not valid UTF-8"]
        for difference in found:
            failed += 1
            print("line %d: %s: %r" % (number, difference, line[:160]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
