#!/usr/bin/env python3
"""Writes the seed corpus under tests/fuzz/corpus/<loader>/ (plain Python,
no NumPy). The files are committed; rerun this only to change them."""
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(loader, name, data):
    d = os.path.join(ROOT, loader)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def npy(shape, values, descr="<f4", fortran=False, version=1):
    fmt = {"f2": "e", "f4": "f", "f8": "d"}[descr[1:]]
    endian = "<" if descr[0] in "<|=" else ">"
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", "".join("%d, " % s for s in shape) if len(shape) != 1 else "%d," % shape[0])
    pre = 10 if version == 1 else 12
    header += " " * ((64 - (pre + len(header) + 1) % 64) % 64) + "\n"
    head = b"\x93NUMPY" + bytes([version, 0])
    head += struct.pack("<H" if version == 1 else "<I", len(header))
    return head + header.encode("latin-1") + struct.pack(endian + fmt * len(values), *values)


def bf16(values):
    return b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", v))[0])[2:] for v in values)


def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + blob


def floats(count, scale=0.1):
    return [((i * 37) % 17 - 8) * scale for i in range(count)]


# Text
put("text", "utf8.txt", "The Harbor clause, as set out in Section 2, binds each party. Don't panic!\n")
put("text", "bom.txt", "\ufeffCafé naïve résumé — «quoted» 東京 text.\n")
put("text", "latin1.txt", "Caf\xe9 na\xefve r\xe9sum\xe9\n".encode("latin-1"))
put("text", "mixed.txt", b"valid \xc3\xa9 then invalid \xff bytes\n")
put("text", "controls.txt", b"line\x01with\x02controls\n")
put("text", "utf16.txt", "hello".encode("utf-16"))
# FASTA
put("fasta", "single.fa", ">chr1 test record\nACGTACGTNNacgtRYKMSWBDHVN\nACGT\n")
put("fasta", "multi.fa", ">a\nACGT\nAC\n>b desc\nGGGGCCCCAAAATTTT\n;comment\n>c\nN-N.N*\n")
put("fasta", "crlf.fa", ">r1\r\nACGTTGCA\r\nTTGG\r\n")
put("fasta", "longline.fa", ">long\n" + "ACGT" * 300 + "\n")
put("fasta", "protein.fa", ">p\nMKVLEFIL\n")
put("fasta", "nohead.fa", "ACGT\n>x\nAC\n")
# CSV
put("csv", "header.csv", "time,temp,humidity\n2024-01-01T00,1.5,30\n2024-01-01T01,,31\n2024-01-01T02,2.5,NA\n2024-01-01T03,3.0,33\n")
put("csv", "noheader.csv", "1,2\n3,4\n5,6\n")
put("csv", "tabs.tsv", "a\tb\n1.0\t2e3\n-4\t+5\n")
put("csv", "semicolon.csv", "x;y\n1;2\n3;4\n")
put("csv", "quoted.csv", '"name","value"\n"a, b",1.5\n"c ""d""",2\n')
put("csv", "single.csv", "1\n2\n3.5\n-1e-3\n")
put("csv", "inf.csv", "v\n1\ninf\n2\n")
put("csv", "huge.csv", "v\n1e999\n")
put("csv", "extreme.csv", "v\n1e308\n-1.7e308\n1e308\n4.9e-324\n")
# npy
put("npy", "v1_f4_embeddings.npy", npy([4, 3], floats(12)))
put("npy", "v1_f4_qkv.npy", npy([3, 2, 4, 2], floats(48)))
put("npy", "v2_f2_be.npy", npy([2, 3, 2], floats(12), descr=">f2", version=2))
put("npy", "v3_f8.npy", npy([1, 5, 2], floats(10), descr="<f8", version=3))
put("npy", "fortran.npy", npy([3, 4], floats(12), fortran=True))
put("npy", "nan.npy", npy([2, 2], [1.0, float("nan"), 2.0, 3.0]))
put("npy", "i4.npy", npy([2], [0.0, 0.0]).replace(b"'<f4'", b"'<i4'"))
put("npy", "truncated.npy", npy([8, 8], floats(64))[:200])
# safetensors
put("safetensors", "qkv_f32.safetensors", safetensors({
    n: ("F32", [2, 3, 2], struct.pack("<12f", *floats(12))) for n in ("q", "k", "v")}, {"format": "pt"}))
put("safetensors", "embeddings_bf16.safetensors", safetensors({"hidden_states": ("BF16", [1, 4, 3], bf16(floats(12)))}))
put("safetensors", "f16_f64.safetensors", safetensors({
    "query": ("F16", [3, 2], struct.pack("<6e", *floats(6))),
    "key": ("F16", [3, 2], struct.pack("<6e", *floats(6))),
    "value": ("F64", [3, 4], struct.pack("<12d", *floats(12)))}))
put("safetensors", "int.safetensors", safetensors({"x": ("I32", [2], struct.pack("<2i", 1, 2))}))
put("safetensors", "lying_length.safetensors", struct.pack("<Q", 10 << 30) + b'{"a":1}')
put("safetensors", "dup.safetensors", struct.pack("<Q", 24) + b'{"a": {}, "a": {}}      ')
# detect: one of each, so the single entry sees every format
for loader in ("text", "fasta", "csv", "npy", "safetensors"):
    for f in sorted(os.listdir(os.path.join(ROOT, loader)))[:2]:
        with open(os.path.join(ROOT, loader, f), "rb") as src:
            put("detect", loader + "_" + f, src.read())
