import subprocess
import sys
from pathlib import Path

import sacco_core
from sacco_core import exceptions

PACKAGE_DIR = Path(sacco_core.__file__).parent
MODULES = sorted(path.stem for path in PACKAGE_DIR.glob("*.py") if path.stem != "__init__")


def test_version_matches_odoo_series():
    assert sacco_core.__version__.startswith("18.0.")


def test_exceptions_are_reexported():
    assert sacco_core.SaccoRuleError is exceptions.SaccoRuleError
    assert set(sacco_core.__all__) == {
        "SaccoRuleError",
        "InvalidPhoneNumber",
        "InvalidIdentity",
        "InvalidTemplate",
    }


def test_no_module_imports_odoo():
    imports = "; ".join(f"import sacco_core.{module}" for module in MODULES)
    check = f"{imports}; import sys; assert not any(m.split('.')[0] == 'odoo' for m in sys.modules)"
    subprocess.run([sys.executable, "-c", check], check=True, cwd=PACKAGE_DIR.parent, timeout=60)
