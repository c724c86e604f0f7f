# Odoo SACCO image: the official Odoo 18 image plus the add-ons' extra Python packages.
# The add-ons themselves are mounted at /mnt/extra-addons by docker-compose.yml.
FROM odoo:18.0

USER root

# requirements.txt lists ./sacco_core (a local package): install from a directory that
# holds both, so the relative path resolves.
WORKDIR /opt/odoo-sacco
COPY requirements.txt ./requirements.txt
COPY sacco_core/ ./sacco_core/
COPY tools/docker_requirements.py ./docker_requirements.py

# The image's Odoo is a Debian package, which pip does not count as the `odoo` distribution
# the OCA odoo-addon-* wheels require: docker_requirements.py installs those wheels with
# --no-deps (plus the OCA wheels and Python libraries they need) and the rest as usual, then
# checks that Odoo finds the add-ons (pip puts them in
# /usr/local/lib/python3.12/dist-packages/odoo/addons, part of the odoo.addons namespace).
# odoo:18.0 is Ubuntu noble: pip needs PIP_BREAK_SYSTEM_PACKAGES (PEP 668) to install there;
# pips older than 23.0.1 ignore it and do not need it.
RUN PIP_BREAK_SYSTEM_PACKAGES=1 PIP_NO_CACHE_DIR=1 python3 docker_requirements.py requirements.txt

WORKDIR /
USER odoo
