def post_init_hook(env):
    """A signing key of its own for this database, and the app's routes served at once."""
    env["sacco.mobile.api"]._jwt_key()
    env.ref("sacco_mobile_api.fastapi_endpoint_mobile").action_sync_registry()
