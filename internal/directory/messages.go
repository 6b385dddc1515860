package directory

import "fmt"

// messages translates the directory's English texts (pages, notices and the
// validation messages shown next to form fields) to Vietnamese.
var messages = buildMessages()

// fieldNames are the Vietnamese names of the fields validation messages name.
var fieldNames = map[string]string{
	"name": "tên", "name_en": "tên tiếng Anh", "short_name": "tên viết tắt", "address": "địa chỉ",
	"website": "trang thông tin điện tử", "phone": "số điện thoại", "email": "địa chỉ thư điện tử",
	"focal_point.name": "họ tên cán bộ đầu mối", "focal_point.position": "chức vụ của cán bộ đầu mối",
	"focal_point.function": "chức năng, nhiệm vụ của cán bộ đầu mối", "focal_point.phone": "số điện thoại của cán bộ đầu mối",
	"focal_point.email": "thư điện tử của cán bộ đầu mối", "sharing_readiness": "mức độ sẵn sàng chia sẻ dữ liệu",
	"q": "từ khóa tìm kiếm",
}

func buildMessages() map[string]string {
	m := map[string]string{
		// Navigation and notices.
		"Organisations":         "Cơ quan, tổ chức",
		"Focal points":          "Đầu mối chia sẻ dữ liệu",
		"Organisation created.": "Đã tạo cơ quan, tổ chức.",
		"Focal point saved.":    "Đã lưu thông tin cán bộ đầu mối.",

		// Pages.
		"10 digits, or 10 digits, a hyphen and 3 digits.": "10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số.",
		"A stable identifier of 2-40 letters, digits, '.', '_' or '-' (e.g. DN.STC). Only a platform administrator can change it later.": "Mã định danh ổn định gồm 2-40 chữ cái không dấu, chữ số, '.', '_' hoặc '-' (ví dụ DN.STC). Sau khi tạo, chỉ quản trị nền tảng được thay đổi.",
		"Administrative unit code":        "Mã đơn vị hành chính",
		"Administrative unit":             "Đơn vị hành chính",
		"Administrative units":            "Đơn vị hành chính",
		"All focal points":                "Tất cả đầu mối",
		"All kinds":                       "Tất cả các loại",
		"All ministries and provinces":    "Tất cả bộ, ngành, địa phương",
		"All organisations":               "Tất cả cơ quan, tổ chức",
		"All subordinate units":           "Tất cả đơn vị trực thuộc",
		"An http:// or https:// address.": "Địa chỉ bắt đầu bằng http:// hoặc https://.",
		"Choose a kind":                   "Chọn loại",
		"Create organisation":             "Tạo cơ quan, tổ chức",
		"Details":                         "Thông tin chung",
		"Edit focal point":                "Sửa thông tin đầu mối",
		"Edit organisation":               "Sửa thông tin cơ quan, tổ chức",
		"Edit":                            "Sửa",
		"Every organisation names an officer for data connection and sharing; the name, position, function, phone and email are published (Decree 47/2020/NĐ-CP, article 7).": "Mỗi cơ quan, tổ chức cử cán bộ đầu mối kết nối, chia sẻ dữ liệu; họ tên, chức vụ, chức năng, số điện thoại và thư điện tử được công khai (Điều 7 Nghị định 47/2020/NĐ-CP).",
		"Focal point for data sharing":     "Cán bộ đầu mối chia sẻ dữ liệu",
		"Focal point":                      "Cán bộ đầu mối",
		"Focal points for data sharing":    "Đầu mối chia sẻ dữ liệu",
		"Full name of the officer":         "Họ và tên cán bộ",
		"Full name":                        "Họ và tên",
		"Function":                         "Chức năng, nhiệm vụ",
		"In force":                         "Còn hiệu lực",
		"Include units no longer in force": "Gồm cả đơn vị không còn hiệu lực",
		"Last updated":                     "Cập nhật lần cuối",
		"Leave empty for a top-level organisation (platform administrators only).": "Để trống nếu là cơ quan cấp cao nhất (chỉ quản trị nền tảng).",
		"Type": "Loại",
		"Licence of the list of administrative units":        "Giấy phép của danh mục đơn vị hành chính",
		"Ministry or province":                               "Bộ, ngành hoặc tỉnh, thành phố",
		"Name in English":                                    "Tên tiếng Anh",
		"Name in Vietnamese":                                 "Tên tiếng Việt",
		"Name or code, with or without diacritics":           "Tên hoặc mã, gõ có dấu hoặc không dấu",
		"Name, code or tax code, with or without diacritics": "Tên, mã hoặc mã số thuế, gõ có dấu hoặc không dấu",
		"New organisation":                                   "Thêm cơ quan, tổ chức",
		"New subordinate unit":                               "Thêm đơn vị trực thuộc",
		"No administrative units found.":                     "Không tìm thấy đơn vị hành chính.",
		"No organisations found.":                            "Không tìm thấy cơ quan, tổ chức.",
		"No subordinate units.":                              "Không có đơn vị trực thuộc.",
		"Not designated yet":                                 "Chưa cử đầu mối",
		"Not stated.":                                        "Chưa công bố.",
		"Official code of the province or commune, as listed under Administrative units.": "Mã chính thức của tỉnh, thành phố hoặc xã, phường theo danh mục đơn vị hành chính.",
		"Organisation name or code, with or without diacritics":                           "Tên hoặc mã cơ quan, gõ có dấu hoặc không dấu",
		"Organisation tree":                         "Cây tổ chức",
		"Part of (code of the parent organisation)": "Trực thuộc (mã của cơ quan cấp trên)",
		"Part of":  "Trực thuộc",
		"Position": "Chức vụ",
		"Province": "Tỉnh, thành phố",
		"Published under Decree 47/2020/NĐ-CP, article 7.": "Công khai theo Điều 7 Nghị định 47/2020/NĐ-CP.",
		"Readiness to share data":                          "Mức độ sẵn sàng chia sẻ dữ liệu",
		"Search all organisations":                         "Tìm trong tất cả cơ quan, tổ chức",
		"Search scope:":                                    "Phạm vi tìm kiếm:",
		"Short name":                                       "Tên viết tắt",
		"Show units":                                       "Xem đơn vị trực thuộc",
		"Source":                                           "Nguồn",
		"Subordinate units":                                "Đơn vị trực thuộc",
		"Tax code":                                         "Mã số thuế",
		"Top level":                                        "Cấp cao nhất",
		"What the officer does for data connection and sharing.":                           "Nhiệm vụ của cán bộ trong kết nối, chia sẻ dữ liệu.",
		"Which data the organisation is ready to share, and how (Decree 47, article 7.2).": "Dữ liệu cơ quan sẵn sàng chia sẻ và cách thức chia sẻ (khoản 2 Điều 7 Nghị định 47).",
		"details": "chi tiết",
		"ended":   "hết hiệu lực từ",
		"yes":     "có",

		// Validation and refusals.
		"code must be 2-40 letters, digits, '.', '_' or '-'":                                 "mã gồm 2-40 chữ cái không dấu, chữ số, '.', '_' hoặc '-'",
		"unknown organisation kind":                                                          "loại cơ quan, tổ chức không hợp lệ",
		"a tax code has 10 digits, or 10 digits, a hyphen and 3 digits":                      "mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số",
		"an administrative unit code is 2-10 digits":                                         "mã đơn vị hành chính gồm 2-10 chữ số",
		"website must be an http:// or https:// address":                                     "trang thông tin điện tử phải là địa chỉ http:// hoặc https://",
		"an organisation with this code already exists":                                      "đã có cơ quan, tổ chức mang mã này",
		"the parent organisation does not exist":                                             "cơ quan cấp trên không tồn tại",
		"no administrative unit has this code":                                               "không có đơn vị hành chính mang mã này",
		"an organisation cannot be placed under itself or its own unit":                      "không thể đặt một cơ quan trực thuộc chính nó hoặc đơn vị trực thuộc của nó",
		"no organisation has this code":                                                      "không có cơ quan, tổ chức mang mã này",
		"no organisation has this id":                                                        "không có cơ quan, tổ chức mang số hiệu này",
		"not an organisation id":                                                             "số hiệu cơ quan, tổ chức không hợp lệ",
		"you are not allowed to manage organisations under this parent":                      "bạn không có quyền quản lý các đơn vị trực thuộc cơ quan này",
		"only a platform administrator can place an organisation at the top level":           "chỉ quản trị nền tảng được đặt cơ quan ở cấp cao nhất",
		"the code of an organisation is stable; only a platform administrator can change it": "mã của cơ quan, tổ chức là cố định; chỉ quản trị nền tảng được thay đổi",
		"level must be province, district or commune":                                        "cấp phải là tỉnh, huyện hoặc xã",
		"roots must be true or false":                                                        "roots phải là true hoặc false",
		"all must be true or false":                                                          "all phải là true hoặc false",
		"cursor is not valid":                                                                "vị trí phân trang (cursor) không hợp lệ",
		"limit must be between 1 and 5000":                                                   "limit phải từ 1 đến 5000",
		"organisation not found":                                                             "không tìm thấy cơ quan, tổ chức",
		"administrative unit not found":                                                      "không tìm thấy đơn vị hành chính",

		// Validation messages that embed values (the field name, a limit, a code).
		"%s is required":                   "trường %s là bắt buộc",
		"%s must be at most %d characters": "trường %s không được vượt quá %d ký tự",
		"%s is not valid UTF-8":            "trường %s chứa ký tự không hợp lệ (không phải UTF-8)",
		"%s is not a valid e-mail address": "trường %s không phải là địa chỉ thư điện tử hợp lệ",
		"%s is not a valid phone number":   "trường %s không phải là số điện thoại hợp lệ",

		// Import of the administrative units (CSV or XLSX file).
		"malformed CSV: %v":                                   "tệp CSV sai cấu trúc: %v",
		"not a readable XLSX workbook: %v":                    "không đọc được bảng tính XLSX: %v",
		"cannot read the first sheet: %v":                     "không đọc được trang tính đầu tiên: %v",
		"the file has no data rows":                           "tệp không có dòng dữ liệu",
		"the header has no %q column":                         "dòng tiêu đề không có cột %q",
		"code %s appears twice":                               "mã %s xuất hiện hai lần",
		"parent %s of %s is not in the file":                  "đơn vị cấp trên %s của đơn vị %s không có trong tệp",
		"level must be province, district or commune, not %q": "cấp phải là province (tỉnh), district (huyện) hoặc commune (xã), không phải %q",
		"an administrative unit code is 2-10 digits, not %q":  "mã đơn vị hành chính gồm 2-10 chữ số, không phải %q",
		"name is required for %s":                             "cần nhập tên cho đơn vị %s",
		"%s %s needs its parent code":                         "đơn vị cấp %s mã %s cần có mã đơn vị cấp trên",
		// Unit levels, which the messages above embed.
		"province": "tỉnh", "district": "huyện", "commune": "xã",
		"%s must be YYYY-MM-DD":          "trường %s phải theo dạng YYYY-MM-DD",
		"retire date must be YYYY-MM-DD": "ngày hết hiệu lực phải theo dạng YYYY-MM-DD",
	}
	// checkText, CheckPhone and CheckEmail name the field in their message.
	for field, max := range maxLen {
		vi := fieldNames[field]
		m[fmt.Sprintf("%s must be at most %d characters", field, max)] = fmt.Sprintf("%s tối đa %d ký tự", vi, max)
		m[field+" is not valid UTF-8"] = vi + " chứa ký tự không hợp lệ"
	}
	m["name is required"] = "cần nhập tên"
	for _, field := range []string{"phone", "focal_point.phone"} {
		m[field+" is not a valid phone number"] = fieldNames[field] + " không hợp lệ"
	}
	for _, field := range []string{"email", "focal_point.email"} {
		m[field+" is not a valid e-mail address"] = fieldNames[field] + " không hợp lệ"
	}
	return m
}
