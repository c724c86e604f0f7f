from . import daraja_client
