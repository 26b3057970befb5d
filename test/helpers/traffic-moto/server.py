"""The shared moto server (test/testbed/moto/server.py, unchanged) with Route53 change batches as AWS
applies them. Used by the traffic tests until the edge carries it (see route53_change_batches.py)."""

import importlib.util
import pathlib
import sys

here = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(here))
spec = importlib.util.spec_from_file_location(
    "harbormaster_moto_server", here.parent.parent / "testbed" / "moto" / "server.py"
)
server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(server)

from route53_change_batches import install_route53_change_batches  # noqa: E402

install_route53_change_batches()
sys.exit(server.main())
