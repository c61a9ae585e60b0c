#!/usr/bin/env python3
"""OCI image layout helpers for deploy/images/build.sh and verify.sh. Standard library only.

  oci.py layout --layer ROOTFS.tar --out DIR --ref TAG [--arch amd64] [--env K=V]... [--user 185]
                [--workdir /home/jboss] [--label K=V]... [--created-by TEXT]
      writes an OCI image layout (oci-layout, index.json, blobs/sha256/...) holding one single-layer image:
      the gzip-compressed ROOTFS.tar as its layer, a config with Env/User/WorkingDir/Labels. Deterministic
      for a given tar and arguments (creation time from SOURCE_DATE_EPOCH, else 1970-01-01).

  oci.py unpack --layout DIR --ref TAG --rootfs DIR
      extracts the image's layers in order into DIR, applying OCI whiteouts, and prints the image config (JSON).
      Needs root for the files' owners and modes (uses tar --numeric-owner --same-permissions).
"""
import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_blob(blobs, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


def pairs(values):
    out = {}
    for v in values or []:
        k, sep, val = v.partition("=")
        if not sep:
            sys.exit(f"expected KEY=VALUE, got {v!r}")
        out[k] = val
    return out


def cmd_layout(a):
    blobs = os.path.join(a.out, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    diff_id = "sha256:" + sha256_file(a.layer)
    gz = os.path.join(a.out, "layer.tar.gz.tmp")
    # gzip -n: no name or time stamp in the header, so the same tar gives the same digest
    with open(a.layer, "rb") as src, open(gz, "wb") as dst:
        subprocess.run(["gzip", "-n", "-6", "-c"], stdin=src, stdout=dst, check=True)
    layer_digest = "sha256:" + sha256_file(gz)
    layer_size = os.path.getsize(gz)
    os.replace(gz, os.path.join(blobs, layer_digest.split(":", 1)[1]))

    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    env = [f"{k}={v}" for k, v in pairs(a.env).items()]
    config = {
        "created": created,
        "architecture": a.arch,
        "os": "linux",
        "config": {"Env": env, "User": a.user, "WorkingDir": a.workdir, "Labels": pairs(a.label)},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": created, "created_by": a.created_by}],
    }
    if a.variant:
        config["variant"] = a.variant
    cfg_digest, cfg_size = write_blob(blobs, json.dumps(config, indent=2, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": cfg_digest, "size": cfg_size},
        "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": layer_digest, "size": layer_size}],
    }
    man_digest, man_size = write_blob(blobs, json.dumps(manifest, indent=2).encode())
    platform = {"architecture": a.arch, "os": "linux"}
    if a.variant:
        platform["variant"] = a.variant
    index = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": man_digest, "size": man_size, "platform": platform,
                       "annotations": {"org.opencontainers.image.ref.name": a.ref}}],
    }
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump(index, f, indent=2)
    with open(os.path.join(a.out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(json.dumps({"manifest": man_digest, "config": cfg_digest, "layer": layer_digest,
                      "layer_size": layer_size, "diff_id": diff_id,
                      "uncompressed_size": os.path.getsize(a.layer)}))


def read_blob(layout, digest):
    return os.path.join(layout, "blobs", *digest.split(":", 1))


def find_manifest(layout, ref):
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    entries = index.get("manifests", [])
    matching = [m for m in entries if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref]
    if not matching:
        if len(entries) != 1:
            sys.exit(f"no manifest named {ref!r} in {layout}")
        matching = entries
    desc = matching[0]
    with open(read_blob(layout, desc["digest"])) as f:
        manifest = json.load(f)
    if manifest.get("mediaType") == OCI_INDEX or "manifests" in manifest:
        sys.exit("multi-platform index: pick one platform when copying (skopeo copy --override-arch)")
    return manifest


def apply_whiteouts(layer_path, rootfs):
    """OCI whiteouts hide files of the lower layers: delete them before extracting this layer."""
    with tarfile.open(layer_path, "r:*") as t:
        for name in t.getnames():
            name = os.path.normpath(name[2:] if name.startswith("./") else name.lstrip("/"))
            if name in (".", "") or name.startswith(".."):
                continue
            base = os.path.basename(name)
            parent = os.path.dirname(name)
            if base == ".wh..wh..opq":  # opaque directory: drop everything below it from lower layers
                d = os.path.join(rootfs, parent)
                if os.path.isdir(d) and not os.path.islink(d):
                    for entry in os.listdir(d):
                        p = os.path.join(d, entry)
                        shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.remove(p)
            elif base.startswith(".wh."):
                p = os.path.join(rootfs, parent, base[len(".wh."):])
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p)
                elif os.path.lexists(p):
                    os.remove(p)


def cmd_unpack(a):
    manifest = find_manifest(a.layout, a.ref)
    with open(read_blob(a.layout, manifest["config"]["digest"])) as f:
        config = json.load(f)
    os.makedirs(a.rootfs, exist_ok=True)
    for layer in manifest["layers"]:
        path = read_blob(a.layout, layer["digest"])
        apply_whiteouts(path, a.rootfs)
        subprocess.run(["tar", "--extract", "--file", path, "--directory", a.rootfs, "--numeric-owner",
                        "--same-permissions", "--same-owner", "--warning=no-unknown-keyword", "--exclude=.wh.*", "--exclude=*/.wh.*"], check=True)
    json.dump(config, sys.stdout, indent=2)
    print()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    lay = sub.add_parser("layout")
    lay.add_argument("--layer", required=True)
    lay.add_argument("--out", required=True)
    lay.add_argument("--ref", required=True)
    lay.add_argument("--arch", default="amd64")
    lay.add_argument("--variant")
    lay.add_argument("--env", action="append")
    lay.add_argument("--user", default="185")
    lay.add_argument("--workdir", default="/")
    lay.add_argument("--label", action="append")
    lay.add_argument("--created-by", default="deploy/images/build.sh")
    unp = sub.add_parser("unpack")
    unp.add_argument("--layout", required=True)
    unp.add_argument("--ref", required=True)
    unp.add_argument("--rootfs", required=True)
    a = p.parse_args()
    {"layout": cmd_layout, "unpack": cmd_unpack}[a.cmd](a)


if __name__ == "__main__":
    main()
