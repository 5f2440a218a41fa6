#!/usr/bin/env bash
# Issue 10's done criterion by hand: `sakke decap-batch --backend fpga-sim` decapsulates
# a file `encap-batch` wrote, byte for byte as `--backend cpu` does. Needs a built sakke
# (cargo build -p sakke-cli; or SAKKE=path) and python3; prints BYTE-IDENTICAL.
set -euo pipefail
S=${SAKKE:-$(cd "$(dirname "$0")/../../.." && pwd)/target/debug/sakke}
D=$(mktemp -d /tmp/fpga-cli.XXXX)
trap 'rm -rf "$D"' EXIT
cd "$D"
$S kms init --store ks >/dev/null
$S kms issue --store ks --uri tel:+447700900001 --period 2026-12 >/dev/null
$S kms issue --store ks --uri tel:+447700900002 --period 2026-12 >/dev/null
python3 - <<'PY'
import json
pub=json.load(open('ks/kms-public.json'))
z=pub['sakke_public_key']
users=[json.load(open(f'ks/users/tel_+44770090000{i}_2026-12.json')) for i in (1,2)]
with open('encap.jsonl','w') as f:
    for i in range(2):
        f.write(json.dumps({"id":i,"kms_public_key":z,"identity":users[i]["identifier"]})+"\n")
json.dump([u["identifier"] for u in users],open('ids.json','w'))
json.dump([u["sakke_rsk"] for u in users],open('rsks.json','w'))
open('z.txt','w').write(z)
PY
$S encap-batch --in encap.jsonl --out encapsulated.jsonl
python3 - <<'PY'
import json
z=open('z.txt').read(); ids=json.load(open('ids.json')); rsks=json.load(open('rsks.json'))
with open('decap.jsonl','w') as f:
    for i,l in enumerate(open('encapsulated.jsonl')):
        r=json.loads(l)
        f.write(json.dumps({"id":r["id"],"kms_public_key":z,"identity":ids[i],"rsk":rsks[i],"encapsulated":r["encapsulated"]})+"\n")
PY
$S decap-batch --backend cpu --in decap.jsonl --out cpu.jsonl
time $S decap-batch --backend fpga-sim --in decap.jsonl --out fpga.jsonl
cmp cpu.jsonl fpga.jsonl && echo "BYTE-IDENTICAL"
python3 -c "
import json
a=[json.loads(l)['ssv'] for l in open('$D/encapsulated.jsonl')]
b=[json.loads(l).get('ssv') for l in open('$D/fpga.jsonl')]
print('ssvs match:', a==b)"
$S backends | grep -i fpga || true
