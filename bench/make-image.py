#!/usr/bin/env python3
"""Writes a linux/amd64 OCI image with random layers into an OCI image layout.

    make-image.py LAYOUT REF_NAME SIZE [SIZE...]

SIZE is a byte count with an optional K/M/G suffix (KiB, MiB, GiB). One layer per size: SIZE random
bytes from os.urandom in a gzip stream of stored (level 0) deflate blocks, about 0.01 % larger,
streamed and hashed chunk by chunk. Being gzip already, skopeo pushes the layers unchanged (it
compresses layers it finds uncompressed, which would change their digests). The image is named REF_NAME in index.json
(annotation org.opencontainers.image.ref.name), so skopeo reads it as oci:LAYOUT:REF_NAME.
Prints one line per object, 'manifest|config|layer <digest> <size>'.
"""
import hashlib
import json
import os
import sys
import zlib

LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
REF_NAME = "org.opencontainers.image.ref.name"
CHUNK = 1 << 20


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1].upper() in units:
        return int(text[:-1]) * units[text[-1].upper()]
    return int(text)


def blob_path(layout, digest):
    return os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1])


def write_bytes(layout, content):
    digest = "sha256:" + hashlib.sha256(content).hexdigest()
    with open(blob_path(layout, digest), "wb") as out:
        out.write(content)
    return digest


def write_random(layout, size):
    """Returns (digest, size) of the gzip blob and the digest of its content (the diff ID)."""
    blob_hasher, diff_hasher = hashlib.sha256(), hashlib.sha256()
    gzip = zlib.compressobj(level=0, wbits=31)
    temp = os.path.join(layout, "blobs", "layer.tmp")
    written = 0
    with open(temp, "wb") as out:
        left = size
        while left > 0:
            chunk = os.urandom(min(CHUNK, left))
            diff_hasher.update(chunk)
            left -= len(chunk)
            for part in (gzip.compress(chunk), gzip.flush() if left == 0 else b""):
                blob_hasher.update(part)
                out.write(part)
                written += len(part)
    digest = "sha256:" + blob_hasher.hexdigest()
    os.replace(temp, blob_path(layout, digest))
    return digest, written, "sha256:" + diff_hasher.hexdigest()


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    layout, ref_name, sizes = sys.argv[1], sys.argv[2], [parse_size(s) for s in sys.argv[3:]]
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as out:
        out.write('{"imageLayoutVersion":"1.0.0"}')

    layers, diff_ids = [], []
    for size in sizes:
        digest, written, diff_id = write_random(layout, size)
        layers.append({"mediaType": LAYER_TYPE, "digest": digest, "size": written})
        diff_ids.append(diff_id)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["CARGOHOLD_BENCH_REF=" + ref_name]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }).encode()
    config_descriptor = {"mediaType": CONFIG_TYPE, "digest": write_bytes(layout, config), "size": len(config)}
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MANIFEST_TYPE, "config": config_descriptor, "layers": layers,
    }).encode()
    manifest_digest = write_bytes(layout, manifest)

    index_file = os.path.join(layout, "index.json")
    index = {"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": []}
    if os.path.exists(index_file):
        with open(index_file) as f:
            index = json.load(f)
    index["manifests"] = [m for m in index["manifests"] if m.get("annotations", {}).get(REF_NAME) != ref_name]
    index["manifests"].append({"mediaType": MANIFEST_TYPE, "digest": manifest_digest, "size": len(manifest),
                               "annotations": {REF_NAME: ref_name}})
    with open(index_file, "w") as out:
        json.dump(index, out)

    print("manifest", manifest_digest, len(manifest))
    print("config", config_descriptor["digest"], config_descriptor["size"])
    for layer in layers:
        print("layer", layer["digest"], layer["size"])


if __name__ == "__main__":
    main()
