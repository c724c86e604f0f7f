"""USSD screen texts in English and Swahili, and the character rules telcos impose.

Conventions: every text is a ``str.format`` template with named placeholders; amounts are
filled already formatted (``money()``), names already made safe (``clip()``). Replies are
``CON `` or ``END `` plus at most ``USSD_MAX_LENGTH - 4`` characters, drawn only from
``USSD_CHARSET``: ASCII letters, digits and the punctuation of the GSM 03.38 basic set
(no extension characters such as ``[]{}~|^\\``, no accents), which every handset renders.
"""

import string
import unicodedata
from datetime import date
from decimal import Decimal

ENGLISH = "en"
SWAHILI = "sw"
LANGUAGES = (ENGLISH, SWAHILI)

USSD_MAX_LENGTH = 182
CONTINUE = "CON "
END = "END "
USSD_CHARSET = frozenset(string.ascii_letters + string.digits + " \n!\"#%&'()*+,-./:;<=>?@_$")

# key -> (English, Swahili)
TEXTS: dict[str, tuple[str, str]] = {
    # Dial-in, PIN and first use
    "unknown_phone": (
        "This phone number is not registered with the SACCO. To join or to add this "
        "number, visit any branch with your ID card.",
        "Nambari hii ya simu haijasajiliwa na SACCO. Ili kujiunga au kuongeza nambari hii, "
        "tembelea tawi lolote ukiwa na kitambulisho chako.",
    ),
    "enter_pin": ("Welcome {name}.\nEnter your PIN:", "Karibu {name}.\nWeka PIN yako:"),
    "locked": (
        "Your USSD access is locked after 3 wrong PINs.\n1 Reset PIN with ID and SMS code\n0 Exit",
        "Huduma ya USSD imefungwa baada ya PIN kukosewa mara 3.\n"
        "1 Badilisha PIN kwa kitambulisho na SMS\n0 Ondoka",
    ),
    "enter_id": (
        "Welcome {name}. To set your PIN, enter your ID number:",
        "Karibu {name}. Ili kuweka PIN, weka nambari ya kitambulisho chako:",
    ),
    "enter_otp": (
        "Enter the 6-digit code we sent you by SMS:",
        "Weka nambari ya tarakimu 6 tuliyokutumia kwa SMS:",
    ),
    "choose_pin": ("Choose a 4-digit PIN:", "Chagua PIN ya tarakimu 4:"),
    "confirm_pin": ("Enter the new PIN again:", "Weka PIN mpya tena:"),
    "old_pin": ("Enter your current PIN:", "Weka PIN yako ya sasa:"),
    # Home
    "home": (
        "Main menu\n1 Balances\n2 Mini-statement\n3 Deposit\n4 Withdraw\n5 Loans\n"
        "6 Guarantees\n7 Products and rates\n8 My account\n0 Exit",
        "Menyu kuu\n1 Salio\n2 Taarifa fupi\n3 Weka pesa\n4 Toa pesa\n5 Mikopo\n"
        "6 Dhamana\n7 Bidhaa na riba\n8 Akaunti yangu\n0 Ondoka",
    ),
    # 1 Balances
    "balances": ("Balances (KES)", "Salio (KES)"),
    "account_entry": (
        "{name}\nBal {balance} Avl {available}",
        "{name}\nSalio {balance} Inapatikana {available}",
    ),
    "loan_entry": (
        "Loan {name}\nOwe {outstanding}\nNext {amount} on {date}",
        "Mkopo {name}\nDeni {outstanding}\nIjayo {amount} tar {date}",
    ),
    "loan_entry_paid": ("Loan {name}\nOwe {outstanding}", "Mkopo {name}\nDeni {outstanding}"),
    "no_accounts": ("You have no accounts yet.", "Huna akaunti bado."),
    # 2 Mini-statement
    "choose_account": ("Choose account:", "Chagua akaunti:"),
    "statement_menu": (
        "{name}\n1 Last 5 transactions\n2 Full statement by SMS",
        "{name}\n1 Miamala 5 ya mwisho\n2 Taarifa kamili kwa SMS",
    ),
    "last_five": ("Last 5 (KES)", "Miamala 5 ya mwisho (KES)"),
    "no_transactions": ("No transactions yet.", "Hakuna miamala bado."),
    "statement_period": (
        "Statement period:\n1 Last month\n2 Last 3 months\n3 Last 6 months\n4 Last 12 months",
        "Kipindi cha taarifa:\n1 Mwezi uliopita\n2 Miezi 3 iliyopita\n3 Miezi 6 iliyopita\n"
        "4 Miezi 12 iliyopita",
    ),
    "statement_sent": (
        "Your statement will be sent to you by SMS.",
        "Taarifa yako itatumwa kwako kwa SMS.",
    ),
    # 3 Deposit and loan repayment by M-Pesa
    "deposit_to": ("Deposit to:", "Weka pesa kwa:"),
    "loan_target": ("Loan {name}", "Mkopo {name}"),
    "enter_amount": ("{name}\nEnter amount (KES):", "{name}\nWeka kiasi (KES):"),
    "repay_amount": (
        "{name}\nDue KES {due}\nEnter amount (KES):",
        "{name}\nInadaiwa KES {due}\nWeka kiasi (KES):",
    ),
    "stk_queued": (
        "You will receive an M-Pesa prompt to pay KES {amount} to {name}. Enter your M-Pesa "
        "PIN to complete.",
        "Utapokea ombi la M-Pesa kulipa KES {amount} kwa {name}. Weka PIN yako ya M-Pesa "
        "kukamilisha.",
    ),
    # 4 Withdraw
    "withdraw_from": ("Withdraw from:", "Toa pesa kutoka:"),
    "withdraw_amount": (
        "{name}\nAvailable KES {available}\nEnter amount (KES):",
        "{name}\nInapatikana KES {available}\nWeka kiasi (KES):",
    ),
    "withdraw_confirm": (
        "Withdraw KES {amount} to M-Pesa\nCharge KES {charge}\nTotal KES {total}\n"
        "Enter PIN to confirm:",
        "Toa KES {amount} kwenda M-Pesa\nAda KES {charge}\nJumla KES {total}\n"
        "Weka PIN kuthibitisha:",
    ),
    "withdraw_queued": (
        "Your withdrawal of KES {amount} to M-Pesa is being processed. You will get an SMS.",
        "Utoaji wako wa KES {amount} kwenda M-Pesa unashughulikiwa. Utapokea SMS.",
    ),
    "no_withdraw_account": (
        "You have no account you can withdraw from.",
        "Huna akaunti ya kutoa pesa.",
    ),
    # 5 Loans
    "loans_menu": (
        "Loans\n1 My loans\n2 Repay loan\n3 Apply for loan",
        "Mikopo\n1 Mikopo yangu\n2 Lipa mkopo\n3 Omba mkopo",
    ),
    "choose_loan": ("Choose loan:", "Chagua mkopo:"),
    "no_loans": ("You have no loans.", "Huna mkopo wowote."),
    "loan_detail": (
        "{name}\nBalance KES {outstanding}\nNext KES {amount} on {date}\n"
        "Arrears KES {arrears}\nInstallments left {left}",
        "{name}\nDeni KES {outstanding}\nIjayo KES {amount} tarehe {date}\n"
        "Malimbikizo KES {arrears}\nAwamu zilizobaki {left}",
    ),
    "loan_products": ("Apply for:", "Omba mkopo:"),
    "no_loan_products": (
        "No loan is open to you on this channel now.",
        "Hakuna mkopo unaopatikana kwako kwa njia hii sasa.",
    ),
    "loan_amount": (
        "{name}\nYou qualify for up to KES {maximum}\nEnter amount (min KES {minimum}):",
        "{name}\nUnastahili hadi KES {maximum}\nWeka kiasi (angalau KES {minimum}):",
    ),
    "not_eligible": (
        "{name}\nYou do not qualify for this loan now.",
        "{name}\nHustahili mkopo huu kwa sasa.",
    ),
    "loan_term": ("Repay over:", "Lipa kwa muda wa:"),
    "months": ("{count} months", "miezi {count}"),
    "one_month": ("1 month", "mwezi 1"),
    "loan_confirm": (
        "Apply for KES {amount}\n{name}\n{term} at {rate}\nEnter PIN to confirm:",
        "Omba KES {amount}\n{name}\n{term}, riba {rate}\nWeka PIN kuthibitisha:",
    ),
    "loan_applied": (
        "Your application for KES {amount} ({name}) has been received. We will send you "
        "the decision by SMS.",
        "Ombi lako la mkopo wa KES {amount} ({name}) limepokelewa. Tutakutumia uamuzi kwa SMS.",
    ),
    # 6 Guarantees
    "guarantees_menu": (
        "Guarantees\n1 Requests ({count})\n2 My guarantees",
        "Dhamana\n1 Maombi ({count})\n2 Dhamana zangu",
    ),
    "requests": ("Guarantee requests:", "Maombi ya dhamana:"),
    "request_entry": ("{name} KES {amount}", "{name} KES {amount}"),
    "no_requests": ("You have no guarantee requests.", "Huna maombi ya dhamana."),
    "request_detail": (
        "{name} asks you to guarantee KES {amount} of a KES {loan} loan.\n1 Accept\n2 Decline",
        "{name} anakuomba udhamini wa KES {amount} kwa mkopo wa KES {loan}.\n1 Kubali\n2 Kataa",
    ),
    "guarantee_amount": (
        "Enter amount to guarantee (max KES {maximum}):",
        "Weka kiasi cha kudhamini (hadi KES {maximum}):",
    ),
    "no_free_deposits": (
        "You have no free deposits to guarantee with.",
        "Huna akiba huru ya kudhamini.",
    ),
    "guarantee_confirm": (
        "Guarantee KES {amount} for {name}?\nEnter PIN to confirm:",
        "Mdhamini {name} kwa KES {amount}?\nWeka PIN kuthibitisha:",
    ),
    "decline_confirm": (
        "Decline the request from {name}?\nEnter PIN to confirm:",
        "Kataa ombi la {name}?\nWeka PIN kuthibitisha:",
    ),
    "guarantee_accepted": (
        "You have guaranteed KES {amount} for {name}. You will get an SMS.",
        "Umemdhamini {name} kwa KES {amount}. Utapokea SMS.",
    ),
    "guarantee_declined": (
        "You have declined to guarantee {name}.",
        "Umekataa kumdhamini {name}.",
    ),
    "exposure": (
        "You guarantee {count} loans\nTotal KES {total}\nFree deposits KES {free}",
        "Unadhamini mikopo {count}\nJumla KES {total}\nAkiba huru KES {free}",
    ),
    # 7 Products and rates
    "rates": ("Products and rates:", "Bidhaa na riba:"),
    "rate_year": ("{rate}% a year", "{rate}% kwa mwaka"),
    "rate_month": ("{rate}% a month", "{rate}% kwa mwezi"),
    "no_rates": ("No products to show.", "Hakuna bidhaa za kuonyesha."),
    # 8 My account
    "my_account": (
        "My account\n1 Change PIN\n2 Language",
        "Akaunti yangu\n1 Badilisha PIN\n2 Lugha",
    ),
    "language": (
        "Choose language:\n1 English\n2 Kiswahili",
        "Chagua lugha:\n1 English\n2 Kiswahili",
    ),
    # Navigation
    "nav": ("0 Back 00 Home", "0 Rudi 00 Mwanzo"),
    "more": ("98 More", "98 Zaidi"),
    # Notices shown above a screen shown again
    "pin_set": ("Your PIN is set.", "PIN yako imewekwa."),
    "pin_changed": ("Your PIN has been changed.", "PIN yako imebadilishwa."),
    "language_set": ("Language set to English.", "Lugha sasa ni Kiswahili."),
    "invalid_choice": ("Invalid choice.", "Chaguo si sahihi."),
    "not_number": ("Enter numbers only.", "Weka tarakimu pekee."),
    "whole_shillings": ("Enter whole shillings, no cents.", "Weka shilingi kamili bila senti."),
    "too_small": ("The minimum is KES {amount}.", "Kiwango cha chini ni KES {amount}."),
    "too_large": ("The maximum is KES {amount}.", "Kiwango cha juu ni KES {amount}."),
    "daily_limit": ("Left today: KES {amount}.", "Kikomo cha leo kilichobaki: KES {amount}."),
    "insufficient": (
        "Not enough balance. Charge KES {charge}.",
        "Salio halitoshi. Ada KES {charge}.",
    ),
    "pin_format": ("The PIN must be 4 digits.", "PIN lazima iwe tarakimu 4."),
    "pin_weak": (
        "That PIN is easy to guess. Choose another.",
        "PIN hiyo ni rahisi kukisia. Chagua nyingine.",
    ),
    "pin_mismatch": ("The PINs did not match.", "PIN hazikulingana."),
    "wrong_pin": ("Wrong PIN. {count} tries left.", "PIN si sahihi. Majaribio {count} yamebaki."),
    "otp_format": ("The code has 6 digits.", "Nambari ina tarakimu 6."),
    "wrong_otp": (
        "Wrong code. {count} tries left.",
        "Nambari si sahihi. Majaribio {count} yamebaki.",
    ),
    "id_format": ("Enter 6 to 9 digits.", "Weka tarakimu 6 hadi 9."),
    # Final texts
    "goodbye": ("Thank you for banking with us.", "Asante kwa kutumia huduma zetu."),
    "locked_end": (
        "Wrong PIN 3 times: USSD access is locked and we sent you an SMS. Dial again to "
        "reset your PIN with your ID, or visit a branch.",
        "PIN imekosewa mara 3: huduma ya USSD imefungwa na tumekutumia SMS. Piga tena "
        "kubadilisha PIN kwa kitambulisho, au tembelea tawi.",
    ),
    "otp_expired": (
        "The code has expired or was used. Dial again for a new one.",
        "Nambari imeisha muda au imetumika. Piga tena upate nyingine.",
    ),
    "id_mismatch": (
        "The details do not match our records. Please visit a branch.",
        "Taarifa hazilingani na rekodi zetu. Tafadhali tembelea tawi.",
    ),
    "otp_limit": (
        "Too many codes requested. Please try again in an hour.",
        "Umeomba nambari nyingi mno. Tafadhali jaribu tena baada ya saa moja.",
    ),
    "limit_end": (
        "This amount is above your limit for today. Please try a smaller amount tomorrow.",
        "Kiasi hiki kinazidi kikomo chako cha leo. Tafadhali jaribu kiasi kidogo kesho.",
    ),
    "insufficient_end": (
        "Your balance is not enough for this request.",
        "Salio lako halitoshi kwa ombi hili.",
    ),
    "failed": (
        "Sorry, we could not complete your request. Please try again later.",
        "Samahani, hatukuweza kukamilisha ombi lako. Tafadhali jaribu tena baadaye.",
    ),
    "expired": (
        "Your session has expired. Please dial again.",
        "Muda wa kikao umeisha. Tafadhali piga tena.",
    ),
}


def text(key: str, language: str, **values: object) -> str:
    """The text ``key`` in ``language`` (English for an unknown language), filled."""
    english, swahili = TEXTS[key]
    return (swahili if language == SWAHILI else english).format(**values)


def money(amount: Decimal) -> str:
    """An amount as USSD text, e.g. ``9,999,999.99``."""
    return f"{amount:,.2f}"


def short_date(on: date) -> str:
    """A date as ``dd/mm/yyyy``."""
    return on.strftime("%d/%m/%Y")


def clip(value: str, width: int) -> str:
    """``value`` made safe for USSD (accents dropped, other characters removed, spaces
    collapsed) and cut to ``width`` characters."""
    plain = unicodedata.normalize("NFKD", str(value))
    safe = "".join(char for char in plain if char in USSD_CHARSET and char != "\n")
    return " ".join(safe.split())[:width].rstrip()


def is_valid_reply(reply: str) -> bool:
    """True when ``reply`` starts ``CON ``/``END ``, fits ``USSD_MAX_LENGTH`` and uses only
    ``USSD_CHARSET``."""
    return (
        reply.startswith((CONTINUE, END))
        and len(reply) <= USSD_MAX_LENGTH
        and all(char in USSD_CHARSET for char in reply)
    )
