$config = array(
			"secret_key" => "${SHOP_API_TOKEN}#P7r5&@*xC$utE",
		);
