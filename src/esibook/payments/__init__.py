"""Paying online (thanh toán trực tuyến) for voluntary SI and household HI through a payment gateway."""
