#!/usr/bin/env python3
"""Writes a linux/amd64 OCI image with random layers into an OCI image layout.

    make-image.py LAYOUT REF_NAME SIZE [SIZE...]

SIZE is a byte count with an optional K/M suffix (KiB, MiB). One layer per size, random bytes
from os.urandom, streamed and hashed chunk by chunk. The image is named REF_NAME in index.json
(annotation org.opencontainers.image.ref.name), so skopeo reads it as oci:LAYOUT:REF_NAME.
Prints one line per object, 'manifest|config|layer <digest> <size>'.
"""
import hashlib
import json
import os
import sys

LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar"
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
    hasher = hashlib.sha256()
    temp = os.path.join(layout, "blobs", "layer.tmp")
    with open(temp, "wb") as out:
        left = size
        while left > 0:
            chunk = os.urandom(min(CHUNK, left))
            hasher.update(chunk)
            out.write(chunk)
            left -= len(chunk)
    digest = "sha256:" + hasher.hexdigest()
    os.replace(temp, blob_path(layout, digest))
    return digest


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    layout, ref_name, sizes = sys.argv[1], sys.argv[2], [parse_size(s) for s in sys.argv[3:]]
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as out:
        out.write('{"imageLayoutVersion":"1.0.0"}')

    layers = [{"mediaType": LAYER_TYPE, "digest": write_random(layout, size), "size": size} for size in sizes]
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["CARGOHOLD_BENCH_REF=" + ref_name]},
        "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]},
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
