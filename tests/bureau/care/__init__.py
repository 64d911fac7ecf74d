"""bureau/care: a member's situation and the visit log, on both stores."""
