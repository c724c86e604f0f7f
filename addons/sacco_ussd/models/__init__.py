from . import (
    sacco_member,
    sacco_sms_template,
    sacco_ussd_channel,
    sacco_ussd_credential,
    sacco_ussd_session,
)
