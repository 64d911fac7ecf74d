"""Who a card says someone is: what a device read (credentials), QR member-card tokens (tokens), ID
numbers, their check characters and keyed hashes (ids), and the national codes on an ID card (gbcodes)."""
