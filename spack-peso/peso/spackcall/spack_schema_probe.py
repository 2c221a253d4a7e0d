"""Run by ``spack python``, or exec'd inside Spack (never imported by spack-peso): does
Spack's own environment schema and config loading accept ``$PESO_CHECK_DIR/spack.yaml``?
Prints one ``PESO-CHECK {ok, error}`` line.
"""

import json
import os

import spack.schema
import spack.schema.env
import spack.util.spack_yaml as syaml

path = os.environ["PESO_CHECK_DIR"]
result = {"ok": True, "error": ""}
try:
    with open(path + "/spack.yaml") as f:
        data = syaml.load(f)
    spack.schema.Validator(spack.schema.env.schema).validate(data)
    import spack.environment as ev

    env = ev.Environment(path)
    with env:
        import spack.config

        spack.config.get("packages")
        spack.config.get("concretizer")
except Exception as e:  # report, do not crash: the caller prints one line
    result = {"ok": False, "error": (type(e).__name__ + ": " + str(e)).splitlines()[0][:400]}
print("PESO-CHECK " + json.dumps(result))
