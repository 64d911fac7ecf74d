"""活动积分: what attending earns (awards), a member's balance and passbook (passbook), and the entries
staff make — volunteer hours, redemptions, corrections (ledger)."""
