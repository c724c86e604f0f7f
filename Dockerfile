# Odoo SACCO image: the official Odoo 18 image plus the add-ons' extra Python packages.
# The add-ons themselves are mounted at /mnt/extra-addons by docker-compose.yml.
FROM odoo:18.0

USER root

# requirements.txt lists ./sacco_core (a local package): install from a directory that
# holds both, so the relative path resolves.
WORKDIR /opt/odoo-sacco
COPY requirements.txt ./requirements.txt
COPY sacco_core/ ./sacco_core/

# odoo:18.0 is Ubuntu noble with the system python3: pip refuses to touch it (PEP 668)
# without --break-system-packages; older pips do not know that flag, hence the fallback.
RUN pip3 install --no-cache-dir --break-system-packages -r requirements.txt \
    || pip3 install --no-cache-dir -r requirements.txt

WORKDIR /
USER odoo
