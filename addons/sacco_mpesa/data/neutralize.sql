-- A copy of the database must never move real money: back to the sandbox, credentials gone.
UPDATE sacco_mpesa_config
   SET environment = 'sandbox',
       base_url = NULL,
       consumer_key = NULL,
       consumer_secret = NULL,
       passkey = NULL,
       initiator_name = NULL,
       initiator_password = NULL,
       callback_base_url = NULL;
DELETE FROM sacco_mpesa_token;
