def post_init_hook(env):
    """A signing key of its own for this database, the app's routes served at once, and
    the SMS members were sent before the app in their inbox."""
    env["sacco.mobile.api"]._jwt_key()
    env.ref("sacco_mobile_api.fastapi_endpoint_mobile").action_sync_registry()
    env["sacco.sms.message"]._notify_members_of_history()
